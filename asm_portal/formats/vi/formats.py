# "Thứ Sáu, 13/02/2026" and "1.250.000 ₫" (see asm_portal.formats and claims.money).
DATE_FORMAT = "l, d/m/Y"
DATETIME_FORMAT = "l, d/m/Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
