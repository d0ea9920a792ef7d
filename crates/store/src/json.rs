//! Reads of one statement: the database gathers the rows of several tables
//! into one JSON document, so a page that needs ten kinds of rows costs one
//! round trip instead of ten. On SQLite every statement is a message to the
//! connection's thread and back, on PostgreSQL a trip over the network; both
//! cost more than the reads themselves.
//!
//! A part of a document is a list of fields, `(name, SQL expression)`; the
//! same list gives the plain select list of the part's ordinary query, so the
//! two never drift apart. The row structs read both ways (`sqlx::FromRow` and
//! `serde::Deserialize`).

use serde::Deserialize;

use crate::Dialect;

/// The fields of a part: the JSON key (and column alias) and its expression.
pub(crate) type Fields = &'static [(&'static str, &'static str)];

/// Fields as the functions below take them (a part may add to a [`Fields`]).
type FieldList<'a> = &'a [(&'a str, &'a str)];

/// `expr AS name, …`: the fields as the select list of an ordinary query.
pub(crate) fn select_list(fields: FieldList<'_>) -> String {
    fields
        .iter()
        .map(|(name, expr)| format!("{expr} AS {name}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One JSON object of the fields, evaluated on the current row.
pub(crate) fn object(dialect: Dialect, fields: FieldList<'_>) -> String {
    let pairs = fields
        .iter()
        .map(|(name, expr)| format!("'{name}', {expr}"))
        .collect::<Vec<_>>()
        .join(", ");
    match dialect {
        Dialect::Sqlite => format!("json_object({pairs})"),
        Dialect::Postgres => format!("json_build_object({pairs})"),
    }
}

/// A part: a JSON array of one object per row of `from` (a `FROM … WHERE …`
/// clause), in the order of `order_by`; `[]` when there are none.
pub(crate) fn array(dialect: Dialect, fields: FieldList<'_>, from: &str, order_by: &str) -> String {
    let item = object(dialect, fields);
    match dialect {
        Dialect::Sqlite => format!("(SELECT json_group_array({item} ORDER BY {order_by}) {from})"),
        Dialect::Postgres => format!(
            "COALESCE((SELECT json_agg({item} ORDER BY {order_by}) {from}), '[]'::json)::text"
        ),
    }
}

/// A part: the object of the first row of `from` (with its `WHERE` and
/// `ORDER BY`), or `null`.
pub(crate) fn first(dialect: Dialect, fields: FieldList<'_>, from: &str) -> String {
    let item = object(dialect, fields);
    match dialect {
        Dialect::Sqlite => format!("(SELECT {item} {from} LIMIT 1)"),
        Dialect::Postgres => format!("(SELECT {item} {from} LIMIT 1)::text"),
    }
}

/// A statement of one row whose columns are the parts, each a JSON text:
/// the database never parses its own output again to nest it in a larger one.
pub(crate) struct Document {
    pub sql: String,
    names: Vec<&'static str>,
}

impl Document {
    pub(crate) fn new(parts: Vec<(&'static str, String)>) -> Document {
        let sql = format!(
            "SELECT {}",
            parts
                .iter()
                .map(|(name, expr)| format!("{expr} AS {name}"))
                .collect::<Vec<_>>()
                .join(",\n ")
        );
        Document {
            sql,
            names: parts.into_iter().map(|(name, _)| name).collect(),
        }
    }

    /// The row's parts as one JSON object (`null` for a part without a row),
    /// read into `T`.
    pub(crate) fn parse<T: serde::de::DeserializeOwned>(
        &self,
        columns: &[Option<String>],
        what: &'static str,
    ) -> crate::Result<T> {
        let size = columns.iter().flatten().map(String::len).sum::<usize>();
        let mut text = String::with_capacity(size + 32 * columns.len());
        text.push('{');
        for (i, (name, value)) in self.names.iter().zip(columns).enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push('"');
            text.push_str(name);
            text.push_str("\":");
            text.push_str(value.as_deref().unwrap_or("null"));
        }
        text.push('}');
        serde_json::from_str(&text).map_err(|_| crate::StoreError::Corrupt(what))
    }
}

/// A [`Document`] for each dialect, built the first time it is asked for.
pub(crate) struct Statement {
    build: fn(Dialect) -> Document,
    sqlite: std::sync::OnceLock<Document>,
    postgres: std::sync::OnceLock<Document>,
}

impl Statement {
    pub(crate) const fn new(build: fn(Dialect) -> Document) -> Statement {
        Statement {
            build,
            sqlite: std::sync::OnceLock::new(),
            postgres: std::sync::OnceLock::new(),
        }
    }

    pub(crate) fn of(&self, dialect: Dialect) -> &Document {
        let cell = match dialect {
            Dialect::Sqlite => &self.sqlite,
            Dialect::Postgres => &self.postgres,
        };
        cell.get_or_init(|| (self.build)(dialect))
    }
}

/// Every column of a row as text: the parts of a [`Document`].
pub(crate) fn columns<R: sqlx::Row>(row: &R) -> Result<Vec<Option<String>>, sqlx::Error>
where
    usize: sqlx::ColumnIndex<R>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    (0..row.len()).map(|i| row.try_get(i)).collect()
}

/// A yes/no field: `true`/`false` from PostgreSQL, `1`/`0` from SQLite,
/// which has no boolean type.
pub(crate) fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Int(i64),
    }
    Ok(match Flag::deserialize(d)? {
        Flag::Bool(b) => b,
        Flag::Int(n) => n != 0,
    })
}
