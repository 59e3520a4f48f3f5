"""Question banks (load + validate), grading, quiz widgets and the answer key."""
