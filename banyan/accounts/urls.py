from banyan.accounts.views import auth, company, dictionary, registration, tokens, users

urlpatterns = [
    *auth.urlpatterns,
    *tokens.urlpatterns,
    *registration.urlpatterns,
    *users.urlpatterns,
    *company.urlpatterns,
    *dictionary.urlpatterns,
]
