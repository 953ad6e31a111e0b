"""What every app uses and no domain owns: the optimistic lock, service errors shown on forms and as
messages, and the helpers that turn values into audit-trail entries. It imports no app of ours."""
