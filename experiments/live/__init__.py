"""Running experiments: assignment, data in, the daily checks and what they decide."""
