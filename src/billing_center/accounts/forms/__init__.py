"""Forms of the console pages: ``auth`` (sign-up, login, codes, forgot password, re-authentication) and
``settings`` (Account Settings)."""
