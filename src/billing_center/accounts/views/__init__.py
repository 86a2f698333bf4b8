"""Console pages of the accounts app: ``auth`` (sign-up, login, forgot password, re-authentication,
logout), ``language`` (the language switch), ``settings`` (Account Settings), ``two_factor`` (second
factor at login and its settings page), ``overview``."""
