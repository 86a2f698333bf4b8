# Sign-up, login, login by code, forgot password, re-authentication, logout pages (engineer "web").
urlpatterns: list = []
