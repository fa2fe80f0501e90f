//! `DATABASE_URL`: which backend it names, chosen by its scheme, never by
//! trial, and how it is shown without its password.

/// Which backend a database URL names, chosen by its scheme, never by trial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file path.
    Sqlite(String),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses `DATABASE_URL`: `postgres://` / `postgresql://` select
    /// PostgreSQL; `sqlite://PATH` or a plain path select SQLite; any other
    /// scheme is refused with a message that says what is accepted.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("the database URL is empty: give a SQLite path, sqlite://PATH or postgres://…".into());
        }
        let lower = raw.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_string()));
        }
        if let Some(path) = raw.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("sqlite:// needs a file path, like sqlite://frontline.db".into());
            }
            return Ok(Self::Sqlite(path.to_string()));
        }
        if let Some(path) = raw.strip_prefix("sqlite:").filter(|p| !p.is_empty()) {
            return Ok(Self::Sqlite(path.to_string()));
        }
        if let Some((scheme, _)) = raw.split_once("://") {
            return Err(format!(
                "unsupported database URL scheme {scheme:?}: use a SQLite path, sqlite://PATH, postgres:// or postgresql://"
            ));
        }
        Ok(Self::Sqlite(raw.to_string()))
    }

    /// True for SQLite.
    pub fn is_sqlite(&self) -> bool {
        matches!(self, Self::Sqlite(_))
    }

    /// The URL without any password, for logs and messages.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(p) => format!("sqlite://{p}"),
            Self::Postgres(u) => match url::Url::parse(u) {
                Ok(mut parsed) => {
                    if parsed.password().is_some() {
                        let _ = parsed.set_password(Some("***"));
                    }
                    parsed.to_string()
                }
                Err(_) => "postgres://…".into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DatabaseUrl;

    #[test]
    fn database_urls_choose_the_backend_by_scheme() {
        let cases = [
            ("frontline.db", Ok(DatabaseUrl::Sqlite("frontline.db".into()))),
            ("sqlite://data/x.db", Ok(DatabaseUrl::Sqlite("data/x.db".into()))),
            ("sqlite:///tmp/x.db", Ok(DatabaseUrl::Sqlite("/tmp/x.db".into()))),
            ("postgres://u@h/db", Ok(DatabaseUrl::Postgres("postgres://u@h/db".into()))),
            ("postgresql://u@h/db", Ok(DatabaseUrl::Postgres("postgresql://u@h/db".into()))),
        ];
        for (raw, want) in cases {
            assert_eq!(DatabaseUrl::parse(raw), want, "{raw}");
        }
        for bad in ["mysql://root@localhost/test", "http://x", "", "sqlite://"] {
            assert!(DatabaseUrl::parse(bad).is_err(), "{bad} should be refused");
        }
    }
    #[test]
    fn redacted_urls_hide_passwords() {
        let url = DatabaseUrl::Postgres("postgres://u:secret@h/db".into());
        assert!(!url.redacted().contains("secret"));
    }
}
