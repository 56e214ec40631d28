"""The child register: the children of an institution, as staff know them."""
