"""Forms of the console pages: ``auth`` (sign-up, login, codes, forgot password, re-authentication) and
``settings`` (Account Settings); ``fields``, the field helpers and password-pair check both use."""
