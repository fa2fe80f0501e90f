//! Staff accounts: roles and the password policy.

/// What a staff member may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffRole {
    /// Works cases and manages staff accounts.
    Admin,
    /// Works cases.
    Agent,
}

impl StaffRole {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Agent => "agent",
        }
    }

    /// Parses the stored form.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "admin" => Some(Self::Admin),
            "agent" => Some(Self::Agent),
            _ => None,
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Admin => "Admin",
            Self::Agent => "Agent",
        }
    }
}

/// Shortest password we accept.
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Longest password we hash (argon2 takes any length; this bounds the work).
pub const PASSWORD_MAX_CHARS: usize = 1024;

/// Checks a new password against the policy.
pub fn check_new_password(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n == 0 {
        return Err("Enter a password".into());
    }
    if n < PASSWORD_MIN_CHARS {
        return Err(format!("Password must be {PASSWORD_MIN_CHARS} characters or more"));
    }
    if n > PASSWORD_MAX_CHARS {
        return Err(format!("Password must be {PASSWORD_MAX_CHARS} characters or less"));
    }
    if password.trim().is_empty() {
        return Err("Password must not be only spaces".into());
    }
    Ok(())
}

/// Normalises a staff e-mail for lookups: trimmed, lower-cased.
pub fn normalise_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_need_twelve_characters() {
        assert_eq!(check_new_password(""), Err("Enter a password".into()));
        assert_eq!(check_new_password("short"), Err("Password must be 12 characters or more".into()));
        assert!(check_new_password("elevenchars").is_err());
        assert!(check_new_password("twelve chars").is_ok());
        assert!(check_new_password("密碼密碼密碼密碼密碼密碼").is_ok(), "counted in characters, not bytes");
        assert!(check_new_password(&" ".repeat(12)).is_err());
    }

    #[test]
    fn roles_round_trip() {
        for r in [StaffRole::Admin, StaffRole::Agent] {
            assert_eq!(StaffRole::parse(r.as_str()), Some(r));
        }
        assert_eq!(StaffRole::parse("root"), None);
    }
}
