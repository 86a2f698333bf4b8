"""Reads of the accounts app: ``account`` (lookup by identifier), ``settings`` (Account Settings pages
and API: identifier-change status, sessions, security log), ``overview`` (the overview page)."""
