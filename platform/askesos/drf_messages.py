"""Django REST framework's validation messages, listed so that `makemessages` carries
them into our catalog (platform/askesos/locale): DRF ships Bahasa Indonesia for fewer
than half of them ("Must be a valid boolean." came out in English), and some of its
wording is a programmer's ("dictionary", "primary key"). LOCALE_PATHS wins over DRF's
own catalog, so the msgstr here is what an API user reads.

The msgids must stay exactly DRF's (rest_framework/fields.py, relations.py,
serializers.py, pagination.py); tests/askesos/test_errors.py checks that each one is
still a message DRF uses and that it comes out in Indonesian.
"""

from django.utils.translation import gettext_noop

DRF_MESSAGES = (
    # fields.py
    gettext_noop("This field is required."),
    gettext_noop("This field may not be null."),
    gettext_noop("Must be a valid boolean."),
    gettext_noop("Not a valid string."),
    gettext_noop("This field may not be blank."),
    gettext_noop("Ensure this field has no more than {max_length} characters."),
    gettext_noop("Ensure this field has at least {min_length} characters."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("This value does not match the required pattern."),
    gettext_noop('Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'),
    gettext_noop(
        'Enter a valid "slug" consisting of Unicode letters, numbers, underscores, or hyphens.'
    ),
    gettext_noop("Enter a valid URL."),
    gettext_noop("Must be a valid UUID."),
    gettext_noop("Enter a valid IPv4 or IPv6 address."),
    gettext_noop("A valid integer is required."),
    gettext_noop("Ensure this value is less than or equal to {max_value}."),
    gettext_noop("Ensure this value is greater than or equal to {min_value}."),
    gettext_noop("String value too large."),
    gettext_noop("A valid biginteger is required."),
    gettext_noop("A valid number is required."),
    gettext_noop("Integer value too large to convert to float"),
    gettext_noop("Ensure that there are no more than {max_digits} digits in total."),
    gettext_noop("Ensure that there are no more than {max_decimal_places} decimal places."),
    gettext_noop(
        "Ensure that there are no more than {max_whole_digits} digits before the decimal point."
    ),
    gettext_noop("Datetime has wrong format. Use one of these formats instead: {format}."),
    gettext_noop("Expected a datetime but got a date."),
    gettext_noop('Invalid datetime for the timezone "{timezone}".'),
    gettext_noop("Datetime value out of range."),
    gettext_noop("Date has wrong format. Use one of these formats instead: {format}."),
    gettext_noop("Expected a date but got a datetime."),
    gettext_noop("Time has wrong format. Use one of these formats instead: {format}."),
    gettext_noop("Duration has wrong format. Use one of these formats instead: {format}."),
    gettext_noop("The number of days must be between {min_days} and {max_days}."),
    gettext_noop('"{input}" is not a valid choice.'),
    gettext_noop("More than {count} items..."),
    gettext_noop('Expected a list of items but got type "{input_type}".'),
    gettext_noop("This selection may not be empty."),
    gettext_noop('"{input}" is not a valid path choice.'),
    gettext_noop("No file was submitted."),
    gettext_noop("The submitted data was not a file. Check the encoding type on the form."),
    gettext_noop("No filename could be determined."),
    gettext_noop("The submitted file is empty."),
    gettext_noop("Ensure this filename has at most {max_length} characters (it has {length})."),
    gettext_noop(
        "Upload a valid image. The file you uploaded was either not an image or a corrupted image."
    ),
    gettext_noop("This list may not be empty."),
    gettext_noop("Ensure this field has at least {min_length} elements."),
    gettext_noop("Ensure this field has no more than {max_length} elements."),
    gettext_noop('Expected a dictionary of items but got type "{input_type}".'),
    gettext_noop("This dictionary may not be empty."),
    gettext_noop("Value must be valid JSON."),
    # relations.py
    gettext_noop('Invalid pk "{pk_value}" - object does not exist.'),
    gettext_noop("Incorrect type. Expected pk value, received {data_type}."),
    gettext_noop("Object with {slug_name}={value} does not exist."),
    gettext_noop("Invalid value."),
    # serializers.py
    gettext_noop("Invalid data. Expected a dictionary, but got {datatype}."),
    # pagination.py (the page-number messages also describe parameters in the schema)
    gettext_noop("Invalid page."),
    gettext_noop("A page number within the paginated result set."),
    gettext_noop("Number of results to return per page."),
)
