//! How the domain's enums are stored: as text, through one `FromSql` /
//! `ToSql` pair per type (and the proxies diesel needs to use them as
//! columns), on both backends. Nothing outside this file parses their
//! stored form; a value this file does not know is a deserialisation error,
//! not a silent default.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

use crate::domain::batch::BatchStatus;
use crate::domain::case::{CaseKind, Status};
use crate::domain::mail::{MailKind, MailStatus};
use crate::domain::timeline::{Actor, EventType};
use crate::domain::triage::{Evidence, FlagCode, FlagSource};
use crate::store::jobs::{JobKind, JobStatus};

/// Implements text storage for an enum with `as_str` and `parse`.
macro_rules! stored_as_text {
    ($($ty:ty => $proxy:ident, $what:literal;)*) => {$(
        #[derive(AsExpression, FromSqlRow)]
        #[diesel(foreign_derive)]
        #[diesel(sql_type = Text)]
        #[allow(dead_code)]
        struct $proxy($ty);

        impl<DB> FromSql<Text, DB> for $ty
        where
            DB: Backend,
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let raw = String::from_sql(bytes)?;
                <$ty>::parse(&raw).ok_or_else(|| format!("unknown {} {raw:?} in the database", $what).into())
            }
        }

        impl<DB> ToSql<Text, DB> for $ty
        where
            DB: Backend,
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                <str as ToSql<Text, DB>>::to_sql(self.as_str(), out)
            }
        }
    )*};
}

stored_as_text! {
    CaseKind => CaseKindProxy, "case kind";
    Status => StatusProxy, "status";
    Actor => ActorProxy, "actor";
    EventType => EventTypeProxy, "event type";
    Evidence => EvidenceProxy, "evidence";
    FlagCode => FlagCodeProxy, "flag code";
    FlagSource => FlagSourceProxy, "flag source";
    BatchStatus => BatchStatusProxy, "batch status";
    JobKind => JobKindProxy, "job kind";
    JobStatus => JobStatusProxy, "job status";
    MailKind => MailKindProxy, "mail kind";
    MailStatus => MailStatusProxy, "mail status";
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;

    use crate::domain::case::{CaseKind, Status};
    use crate::store::{DatabaseUrl, Db};

    #[actix_web::test]
    async fn enums_round_trip_through_text_and_unknown_text_is_an_error() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Db::connect(DatabaseUrl::Sqlite(dir.path().join("t.db").display().to_string()), 2).expect("db");
        let got = db
            .read(|conn| {
                let kind: CaseKind =
                    diesel::select(CaseKind::Directory.into_sql::<diesel::sql_types::Text>()).get_result(conn)?;
                let status: Status =
                    diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>("'waiting_on_partner'"))
                        .get_result(conn)?;
                let bad = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>("'nonsense'"))
                    .get_result::<Status>(conn);
                Ok((kind, status, bad.is_err()))
            })
            .await
            .expect("query");
        assert_eq!(got, (CaseKind::Directory, Status::WaitingOnPartner, true));
    }
}
