"""GitHub mode: a pull request's diff in, one review of suggested changes out."""
