"""Password rules with Chinese source messages (ADR 0003), so that every password error reads in Chinese.

Django 5.2 changed the wording of `MinimumLengthValidator`'s error ("… at least %d characters"), and its zh_Hans
catalogue still translates only the old wording, so a short password got an English error on the Chinese sign-up
page. These validators keep Django's rules and say them in our own strings (English in our `en` catalogue).
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return _("密码太短，至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("这个密码太常见，容易被猜到，请换一个。")

    def get_help_text(self) -> str:
        return _("不能使用常见密码。")

