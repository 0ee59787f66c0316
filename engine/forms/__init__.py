"""Forms as data: JSON Schema files, the domain keywords they may use, and what tasks show and write."""

from engine.forms.context import FormContext
from engine.forms.form import (
    SYSTEM_VARIABLES,
    Form,
    FormInvalid,
    form_from_schema,
    land,
    load_form,
    validate_submission,
)
from engine.forms.keywords import REGISTRY
from engine.forms.substance import is_vague

__all__ = ["REGISTRY", "SYSTEM_VARIABLES", "Form", "FormContext", "FormInvalid", "form_from_schema",
           "is_vague", "land", "load_form", "validate_submission"]
