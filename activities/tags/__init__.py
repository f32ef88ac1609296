"""The "四联四助" tags: the council's editable list of the four kinds of link and the four
kinds of help a member's liaison work serves. Members tick them on a contact log, staff on an
activity; the lists filter by them and the dashboard counts by them."""
