# Imported only after the executable was moved or deleted.
VALUE = "lazy-ok"
