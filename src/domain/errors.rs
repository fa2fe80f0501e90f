//! Field errors collected while parsing a form: every field is checked, the
//! first failing rule of each field is kept, in the order fields appear on
//! the page.

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The control's id (= its field name) the summary links to.
    pub field: &'static str,
    /// The message, shown in the summary and beside the field.
    pub message: String,
}

/// All problems found in one submission.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors {
    items: Vec<FieldError>,
    /// Fields at fault without a message of their own: the other part of a
    /// date whose whole is wrong ("Enter the KPI month" marks the year too).
    also_at_fault: Vec<&'static str>,
}

impl FieldErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an error for `field` unless it already has one (one message
    /// per question: the first rule that failed).
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        if !self.items.iter().any(|e| e.field == field) {
            self.items.push(FieldError { field, message: message.into() });
        }
    }

    /// Records an error for `field` that is about `others` too: they are
    /// marked at fault, and the message is shown once, with `field`.
    pub fn add_for_group(&mut self, field: &'static str, others: &[&'static str], message: impl Into<String>) {
        self.add(field, message);
        self.also_at_fault.extend_from_slice(others);
    }

    /// True if the field failed, or is part of a group that did.
    pub fn at_fault(&self, field: &str) -> bool {
        self.has(field) || self.also_at_fault.contains(&field)
    }

    /// Keeps the value if `result` is Ok, records the error otherwise.
    pub fn check<T>(&mut self, field: &'static str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(m) => {
                self.add(field, m);
                None
            }
        }
    }

    /// True when nothing failed.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The message for a field, if it failed.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.items.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    /// True if the field failed.
    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    /// The errors, sorted into the order the given fields appear on the page.
    pub fn ordered(&self, page_order: &[&str]) -> Vec<FieldError> {
        let mut items = self.items.clone();
        items.sort_by_key(|e| page_order.iter().position(|f| *f == e.field).unwrap_or(usize::MAX));
        items
    }

    /// The errors in the order they were added.
    pub fn items(&self) -> &[FieldError] {
        &self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_the_first_message_per_field_and_orders_by_page() {
        let mut e = FieldErrors::new();
        e.add("year", "Year must include 4 numbers");
        e.add("partner_id", "Enter your MPN / Partner ID");
        e.add("year", "second");
        assert_eq!(e.get("year"), Some("Year must include 4 numbers"));
        let order: Vec<_> = e.ordered(&["partner_id", "month", "year"]).into_iter().map(|x| x.field).collect();
        assert_eq!(order, vec!["partner_id", "year"]);
    }
}
