"""The API takes the JSON types its OpenAPI document says, in one place for every serializer.

DRF is lenient in ways the document cannot say: a text field takes a number (0 becomes "0"), a
list of related keys takes an object (iterating its keys, so {} is an empty list), and a related
key takes "" for null. Here a text field takes a JSON string only, a list of keys a JSON array
only, and a key that may be null takes null for it; anything else is the field's usual refusal
(400). Installed by experiments.apps.
"""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import fields, relations
from rest_framework.exceptions import ValidationError

_lenient_text = fields.CharField.to_internal_value
_lenient_keys = relations.ManyRelatedField.to_internal_value
_lenient_key = relations.RelatedField.run_validation


def _text(self, data):
    if not isinstance(data, str):
        self.fail("invalid")
    return _lenient_text(self, data)


def _keys(self, data):
    if isinstance(data, Mapping):
        self.fail("not_a_list", input_type=type(data).__name__)
    return _lenient_keys(self, data)


def _key(self, data=fields.empty):
    if data == "":
        raise ValidationError(_("Must be a key, not an empty string."), code="blank")
    return _lenient_key(self, data)


def install():
    if fields.CharField.to_internal_value is not _text:
        fields.CharField.to_internal_value = _text
        relations.ManyRelatedField.to_internal_value = _keys
        relations.RelatedField.run_validation = _key
