DROP INDEX cases_status_kind_idx;
