/* The one table of builtin typecasters: name, OIDs, C function, element
 * caster.  Rows are created in order (an array's base comes before it) and
 * the `registered` ones go into the global string_types in order, so a later
 * row wins for a shared OID (INTEGER over NUMBER).  Names, OID order and
 * registration order are psycopg2's: its string_types lists the same
 * casters in the same order. */

#include "psycopg.h"
#include "pgtypes.h"
#include "typecast.h"

/* tinterval: gone since PostgreSQL 12 (so not in pgtypes.h), still listed
 * by psycopg2's INTERVAL */
#define TINTERVALOID 704

/* scalar types */
static const Oid NUMBER_oids[] = {INT8OID, INT4OID, INT2OID, FLOAT8OID,
                                   FLOAT4OID, NUMERICOID, 0};
static const Oid LONGINTEGER_oids[] = {INT8OID, 0};
static const Oid INTEGER_oids[] = {INT4OID, INT2OID, 0};
static const Oid FLOAT_oids[] = {FLOAT8OID, FLOAT4OID, 0};
static const Oid DECIMAL_oids[] = {NUMERICOID, 0};
static const Oid STRING_oids[] = {NAMEOID, CHAROID, TEXTOID, BPCHAROID,
                                   VARCHAROID, 0};
static const Oid BOOLEAN_oids[] = {BOOLOID, 0};
static const Oid DATETIME_oids[] = {TIMESTAMPOID, 0};
static const Oid DATETIMETZ_oids[] = {TIMESTAMPTZOID, 0};
static const Oid TIME_oids[] = {TIMEOID, TIMETZOID, 0};
static const Oid DATE_oids[] = {DATEOID, 0};
static const Oid INTERVAL_oids[] = {TINTERVALOID, INTERVALOID, 0};
static const Oid BINARY_oids[] = {BYTEAOID, 0};
static const Oid ROWID_oids[] = {OIDOID, 0};
static const Oid UNKNOWN_oids[] = {UNKNOWNOID, 0};

/* arrays */
static const Oid LONGINTEGERARRAY_oids[] = {INT8ARRAYOID, 0};
static const Oid INTEGERARRAY_oids[] = {INT2ARRAYOID, INT2VECTORARRAYOID,
                                         INT4ARRAYOID, 0};
static const Oid FLOATARRAY_oids[] = {FLOAT4ARRAYOID, FLOAT8ARRAYOID, 0};
static const Oid DECIMALARRAY_oids[] = {NUMERICARRAYOID, 0};
static const Oid STRINGARRAY_oids[] = {CHARARRAYOID, NAMEARRAYOID,
                                        TEXTARRAYOID, BPCHARARRAYOID,
                                        VARCHARARRAYOID, 0};
static const Oid BOOLEANARRAY_oids[] = {BOOLARRAYOID, 0};
static const Oid DATETIMEARRAY_oids[] = {TIMESTAMPARRAYOID, 0};
static const Oid DATETIMETZARRAY_oids[] = {TIMESTAMPTZARRAYOID, 0};
static const Oid TIMEARRAY_oids[] = {TIMEARRAYOID, TIMETZARRAYOID, 0};
static const Oid DATEARRAY_oids[] = {DATEARRAYOID, 0};
static const Oid INTERVALARRAY_oids[] = {INTERVALARRAYOID, 0};
static const Oid BINARYARRAY_oids[] = {BYTEAARRAYOID, 0};
static const Oid ROWIDARRAY_oids[] = {OIDARRAYOID, OIDVECTORARRAYOID, 0};
static const Oid INETARRAY_oids[] = {INETARRAYOID, 0};
static const Oid CIDRARRAY_oids[] = {CIDRARRAYOID, 0};
static const Oid MACADDRARRAY_oids[] = {MACADDRARRAYOID, 0};

#define ARR typecast_array_cast
#define REG TYPECAST_REGISTER
#define EXP TYPECAST_EXPORT

const typecast_builtin typecast_builtins[] = {
    /* DB-API type objects and default casters, registered */
    {"NUMBER", NUMBER_oids, typecast_number_cast, NULL, REG | EXP},
    {"LONGINTEGER", LONGINTEGER_oids, typecast_int_cast, NULL, REG | EXP},
    {"INTEGER", INTEGER_oids, typecast_int_cast, NULL, REG | EXP},
    {"FLOAT", FLOAT_oids, typecast_float_cast, NULL, REG | EXP},
    {"DECIMAL", DECIMAL_oids, typecast_decimal_cast, NULL, REG | EXP},
    {"STRING", STRING_oids, typecast_unicode_cast, NULL, REG | EXP},
    {"UNICODE", STRING_oids, typecast_unicode_cast, NULL, EXP},
    {"BOOLEAN", BOOLEAN_oids, typecast_bool_cast, NULL, REG | EXP},
    {"DATETIME", DATETIME_oids, typecast_timestamp_cast, NULL, REG | EXP},
    {"DATETIMETZ", DATETIMETZ_oids, typecast_timestamptz_cast, NULL, REG | EXP},
    {"TIME", TIME_oids, typecast_time_cast, NULL, REG | EXP},
    {"DATE", DATE_oids, typecast_date_cast, NULL, REG | EXP},
    {"INTERVAL", INTERVAL_oids, typecast_interval_cast, NULL, REG | EXP},
    {"BINARY", BINARY_oids, typecast_bytea_cast, NULL, REG | EXP},
    {"ROWID", ROWID_oids, typecast_int_cast, NULL, REG | EXP},

    {"LONGINTEGERARRAY", LONGINTEGERARRAY_oids, ARR, "LONGINTEGER", REG | EXP},
    {"INTEGERARRAY", INTEGERARRAY_oids, ARR, "INTEGER", REG | EXP},
    {"FLOATARRAY", FLOATARRAY_oids, ARR, "FLOAT", REG | EXP},
    {"DECIMALARRAY", DECIMALARRAY_oids, ARR, "DECIMAL", REG | EXP},
    {"STRINGARRAY", STRINGARRAY_oids, ARR, "STRING", REG | EXP},
    {"UNICODEARRAY", STRINGARRAY_oids, ARR, "UNICODE", EXP},
    {"BOOLEANARRAY", BOOLEANARRAY_oids, ARR, "BOOLEAN", REG | EXP},
    {"DATETIMEARRAY", DATETIMEARRAY_oids, ARR, "DATETIME", REG | EXP},
    {"DATETIMETZARRAY", DATETIMETZARRAY_oids, ARR, "DATETIMETZ", REG | EXP},
    {"TIMEARRAY", TIMEARRAY_oids, ARR, "TIME", REG | EXP},
    {"DATEARRAY", DATEARRAY_oids, ARR, "DATE", REG | EXP},
    {"INTERVALARRAY", INTERVALARRAY_oids, ARR, "INTERVAL", REG | EXP},
    {"BINARYARRAY", BINARYARRAY_oids, ARR, "BINARY", REG | EXP},
    {"ROWIDARRAY", ROWIDARRAY_oids, ARR, "ROWID", REG | EXP},
    /* unknown (untyped literals), inet[], cidr[], macaddr[] as str */
    {"UNKNOWN", UNKNOWN_oids, typecast_unicode_cast, NULL, REG | EXP},
    {"INETARRAY", INETARRAY_oids, ARR, "STRING", REG | EXP},
    {"CIDRARRAY", CIDRARRAY_oids, ARR, "STRING", REG | EXP},
    {"MACADDRARRAY", MACADDRARRAY_oids, ARR, "STRING", REG | EXP},

    /* exported, not registered by default */
    {"BYTES", STRING_oids, typecast_bytes_cast, NULL, EXP},
    {"BYTESARRAY", STRINGARRAY_oids, ARR, "BYTES", EXP},
    {"PYDATE", DATE_oids, typecast_date_cast, NULL, EXP},
    {"PYTIME", TIME_oids, typecast_time_cast, NULL, EXP},
    {"PYDATETIME", DATETIME_oids, typecast_timestamp_cast, NULL, EXP},
    {"PYDATETIMETZ", DATETIMETZ_oids, typecast_timestamptz_cast, NULL, EXP},
    {"PYINTERVAL", INTERVAL_oids, typecast_interval_cast, NULL, EXP},
    {"PYDATEARRAY", DATEARRAY_oids, ARR, "PYDATE", EXP},
    {"PYTIMEARRAY", TIMEARRAY_oids, ARR, "PYTIME", EXP},
    {"PYDATETIMEARRAY", DATETIMEARRAY_oids, ARR, "PYDATETIME", EXP},
    {"PYDATETIMETZARRAY", DATETIMETZARRAY_oids, ARR, "PYDATETIMETZ", EXP},
    {"PYINTERVALARRAY", INTERVALARRAY_oids, ARR, "PYINTERVAL", EXP},

    {NULL, NULL, NULL, NULL, 0}
};
