"""The Textual layer: screens, dialogs, widgets. Business rules live in checkin/."""
