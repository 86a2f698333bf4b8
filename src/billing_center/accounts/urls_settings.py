# Account Settings pages: profile, security, sessions, security log (engineer "settings").
urlpatterns: list = []
