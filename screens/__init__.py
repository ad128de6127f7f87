"""The Textual layer of the check-in desk: screens, dialogs, widgets. Business rules live in checkin/."""
