"""Services: the work behind each message, with keyword-only arguments and one session each."""
