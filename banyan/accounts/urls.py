from banyan.accounts.views import auth, company, dictionary, registration, users

urlpatterns = [
    *auth.urlpatterns,
    *registration.urlpatterns,
    *users.urlpatterns,
    *company.urlpatterns,
    *dictionary.urlpatterns,
]
