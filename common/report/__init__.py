"""What a run tells people: Allure steps and attachments, report metadata and categories, notifications."""
