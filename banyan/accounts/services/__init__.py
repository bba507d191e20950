"""Writes on accounts. Every function takes the acting user and enforces the rules."""

from banyan.accounts.services.auth import (  # noqa: F401
    LoginFailed,
    LoginLocked,
    login_check,
)
from banyan.accounts.services.companies import (  # noqa: F401
    company_convert_to_formal,
    company_create,
    company_extend_trial,
    company_remove_logo,
    company_set_logo,
    company_set_status,
    company_update_profile,
    company_update_settings,
    trial_register,
)
from banyan.accounts.services.dictionary import (  # noqa: F401
    dictionary_install_defaults,
    dictionary_option_create,
    dictionary_option_delete,
    dictionary_option_in_use,
    dictionary_option_update,
    dictionary_reorder,
)
from banyan.accounts.services.tokens import (  # noqa: F401
    TokenRefused,
    api_token_check,
    api_token_create,
    api_token_for,
    api_token_revoke,
    api_tokens_revoke_all,
)
from banyan.accounts.services.users import (  # noqa: F401
    DEACTIVATION_HANDOVERS,
    user_change_own_password,
    user_create,
    user_deactivate,
    user_reactivate,
    user_reset_password,
    user_update,
)
