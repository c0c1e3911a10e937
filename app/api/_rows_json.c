/* A schedule's installment rows written straight to JSON bytes (SPEC §11, issue 13).

A C transcription of app/api/rows_json.py: `unit_rows` (the rows as dicts, then orjson.dumps)
and `unit_totals` (the column sums). The Python stays in the tree as the fallback and the
reference: tests/api/test_rows_json.py requires the same bytes and strings from both.

write_rows(rows, digits) -> (bytes, (principal, interest, fee, payment, capitalized_interest))

rows: a tuple or list of 9-tuples (number, due date, days, opening, principal, interest, fee,
capitalized, closing), amounts in minor units; digits: the currency's minor digits (0 to 9).
Every number must be an exact int and the due date an exact datetime.date (TypeError
otherwise: no Python code runs while the rows are read, so nothing can change them under us).
An int beyond 64 bits, or a payment or a total that would pass 64 bits, raises OverflowError:
the caller prints that schedule in Python (a capitalizing loan may reach 10^27 minor units).

Amounts print as the Python does: `"%d.%0Nd" % divmod(units, 10**N)` (floor division; JPY
"%d"), but a negative principal (negative amortization) and the totals as format_units: the
sign, then the absolute value's digits.
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <datetime.h>
#include <stdint.h>
#include <string.h>

/* the longest row: 7 amounts of at most 20 digits, a sign, a point and 9 more digits; number
   and days of at most 20 characters; the date; the keys and punctuation (< 200 characters) */
#define ROW_MAX 512
#define MAX_DIGITS 9

static const int64_t SCALES[MAX_DIGITS + 1] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
};

#define PUT(p, literal) (memcpy((p), (literal), sizeof(literal) - 1), (p) + sizeof(literal) - 1)

/* "00" to "99": two digits a step (a division by a constant is a multiplication) */
static const char PAIRS[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static const uint64_t POWERS[20] = {
    1ULL,
    10ULL,
    100ULL,
    1000ULL,
    10000ULL,
    100000ULL,
    1000000ULL,
    10000000ULL,
    100000000ULL,
    1000000000ULL,
    10000000000ULL,
    100000000000ULL,
    1000000000000ULL,
    10000000000000ULL,
    100000000000000ULL,
    1000000000000000ULL,
    10000000000000000ULL,
    100000000000000000ULL,
    1000000000000000000ULL,
    10000000000000000000ULL,
};

/* the decimal digits of v, written at p from the last (no copy through a buffer: a
   variable-length memcpy a number was a third of the time); returns the end */
static inline char *put_u64(char *p, uint64_t v) {
    int n = 1;
    while (n < 20 && v >= POWERS[n]) n++;
    char *end = p + n, *t = end;
    while (v >= 100) {
        unsigned pair = (unsigned)(v % 100);
        v /= 100;
        t -= 2;
        t[0] = PAIRS[2 * pair];
        t[1] = PAIRS[2 * pair + 1];
    }
    if (v >= 10) {
        t[-2] = PAIRS[2 * v];
        t[-1] = PAIRS[2 * v + 1];
    } else {
        t[-1] = (char)('0' + v);
    }
    return end;
}

static char *put_i64(char *p, int64_t v) {
    if (v < 0) {
        *p++ = '-';
        return put_u64(p, (uint64_t)0 - (uint64_t)v);
    }
    return put_u64(p, (uint64_t)v);
}

/* `digits` digits of r (0 <= r < 10**digits), zeros in front */
static inline char *put_fraction(char *p, uint64_t r, int digits) {
    for (int i = digits - 1; i >= 0; i--) {
        p[i] = (char)('0' + r % 10);
        r /= 10;
    }
    return p + digits;
}

/* "%d.%0Nd" % divmod(units, scale): Python's floor division, so -5 cents print "-1.95".
   Inlined with a constant `digits` (see put_floor), so the divisions are multiplications. */
static inline __attribute__((always_inline)) char *floor_at(char *p, int64_t units, int digits) {
    int64_t scale = SCALES[digits];
    int64_t q = units / scale, r = units % scale;
    if (r < 0) {
        r += scale;
        q -= 1;
    }
    p = put_i64(p, q);
    if (digits) {
        *p++ = '.';
        p = put_fraction(p, (uint64_t)r, digits);
    }
    return p;
}

/* format_units: the sign, then the absolute value with its minor digits ("-0.05") */
static inline __attribute__((always_inline)) char *signed_at(char *p, int64_t units, int digits) {
    uint64_t scale = (uint64_t)SCALES[digits];
    uint64_t m = (uint64_t)units;
    if (units < 0) {
        *p++ = '-';
        m = (uint64_t)0 - m;
    }
    p = put_u64(p, m / scale);
    if (digits) {
        *p++ = '.';
        p = put_fraction(p, m % scale, digits);
    }
    return p;
}

/* the currencies' own digits (0, 2, 3) as constants; any other through the general code */
static char *put_floor(char *p, int64_t units, int digits) {
    switch (digits) {
        case 0: return floor_at(p, units, 0);
        case 2: return floor_at(p, units, 2);
        case 3: return floor_at(p, units, 3);
        default: return floor_at(p, units, digits);
    }
}

static char *put_signed(char *p, int64_t units, int digits) {
    switch (digits) {
        case 0: return signed_at(p, units, 0);
        case 2: return signed_at(p, units, 2);
        case 3: return signed_at(p, units, 3);
        default: return signed_at(p, units, digits);
    }
}

/* an exact int that fits in 64 bits, or -1 with TypeError / OverflowError set */
static int get_i64(PyObject *item, const char *field, int64_t *out) {
    if (!PyLong_CheckExact(item)) {
        PyErr_Format(PyExc_TypeError, "%s must be an int, not %.100s", field,
                     Py_TYPE(item)->tp_name);
        return -1;
    }
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(item, &overflow);
    if (overflow) {
        PyErr_Format(PyExc_OverflowError, "%s does not fit in 64 bits", field);
        return -1;
    }
    if (v == -1 && PyErr_Occurred()) return -1;
    *out = (int64_t)v;
    return 0;
}

static int add_i64(int64_t a, int64_t b, int64_t *out, const char *what) {
    if (__builtin_add_overflow(a, b, out)) {
        PyErr_Format(PyExc_OverflowError, "%s does not fit in 64 bits", what);
        return -1;
    }
    return 0;
}

static const char *const AMOUNT_FIELDS[6] = {
    "opening_principal", "principal", "interest", "fee", "capitalized_interest", "closing_principal",
};

/* one row at p; returns the end, or NULL with an exception set; adds to the sums */
static char *put_row(char *p, PyObject *row, int digits, int64_t sums[4]) {
    if (!PyTuple_Check(row)) {
        PyErr_Format(PyExc_TypeError, "a row must be a tuple, not %.100s", Py_TYPE(row)->tp_name);
        return NULL;
    }
    if (PyTuple_GET_SIZE(row) != 9) {
        PyErr_Format(PyExc_ValueError, "a row has 9 items, not %zd", PyTuple_GET_SIZE(row));
        return NULL;
    }
    int64_t number, days, amounts[6], payment;
    if (get_i64(PyTuple_GET_ITEM(row, 0), "number", &number) < 0) return NULL;
    PyObject *due = PyTuple_GET_ITEM(row, 1);
    if (!PyDate_CheckExact(due)) {
        PyErr_Format(PyExc_TypeError, "due_date must be a datetime.date, not %.100s",
                     Py_TYPE(due)->tp_name);
        return NULL;
    }
    if (get_i64(PyTuple_GET_ITEM(row, 2), "days", &days) < 0) return NULL;
    for (int i = 0; i < 6; i++) {
        if (get_i64(PyTuple_GET_ITEM(row, 3 + i), AMOUNT_FIELDS[i], &amounts[i]) < 0) return NULL;
    }
    /* amounts: opening, principal, interest, fee, capitalized, closing */
    if (add_i64(amounts[1], amounts[2], &payment, "payment") < 0 ||
        add_i64(payment, amounts[3], &payment, "payment") < 0)
        return NULL;
    if (add_i64(sums[0], amounts[1], &sums[0], "the principal total") < 0 ||
        add_i64(sums[1], amounts[2], &sums[1], "the interest total") < 0 ||
        add_i64(sums[2], amounts[3], &sums[2], "the fee total") < 0 ||
        add_i64(sums[3], amounts[4], &sums[3], "the capitalized interest total") < 0)
        return NULL;

    p = PUT(p, "{\"number\":");
    p = put_i64(p, number);
    p = PUT(p, ",\"due_date\":\"");
    int year = PyDateTime_GET_YEAR(due), month = PyDateTime_GET_MONTH(due),
        day = PyDateTime_GET_DAY(due);
    p = put_fraction(p, (uint64_t)year, 4); /* date.isoformat: "%04d-%02d-%02d", year 1-9999 */
    *p++ = '-';
    p = put_fraction(p, (uint64_t)month, 2);
    *p++ = '-';
    p = put_fraction(p, (uint64_t)day, 2);
    p = PUT(p, "\",\"days\":");
    p = put_i64(p, days);
    p = PUT(p, ",\"opening_principal\":\"");
    p = put_floor(p, amounts[0], digits);
    p = PUT(p, "\",\"principal\":\"");
    p = amounts[1] >= 0 ? put_floor(p, amounts[1], digits) : put_signed(p, amounts[1], digits);
    p = PUT(p, "\",\"interest\":\"");
    p = put_floor(p, amounts[2], digits);
    p = PUT(p, "\",\"fee\":\"");
    p = put_floor(p, amounts[3], digits);
    p = PUT(p, "\",\"payment\":\"");
    p = put_floor(p, payment, digits);
    p = PUT(p, "\",\"capitalized_interest\":\"");
    p = put_floor(p, amounts[4], digits);
    p = PUT(p, "\",\"closing_principal\":\"");
    p = put_floor(p, amounts[5], digits);
    p = PUT(p, "\"}");
    return p;
}

static PyObject *totals_of(const int64_t sums[4], int digits) {
    int64_t payment;
    if (add_i64(sums[0], sums[1], &payment, "the payment total") < 0 ||
        add_i64(payment, sums[2], &payment, "the payment total") < 0)
        return NULL;
    const int64_t values[5] = {sums[0], sums[1], sums[2], payment, sums[3]};
    PyObject *totals = PyTuple_New(5);
    if (totals == NULL) return NULL;
    for (int i = 0; i < 5; i++) {
        char text[32];
        char *end = put_signed(text, values[i], digits);
        PyObject *s = PyUnicode_FromStringAndSize(text, end - text);
        if (s == NULL) {
            Py_DECREF(totals);
            return NULL;
        }
        PyTuple_SET_ITEM(totals, i, s);
    }
    return totals;
}

/* The rows are written to a scratch buffer kept between calls, then copied to the bytes
   object at their size: a bytes object allocated at the worst case (~2.4 times a row's usual
   size) costs more than the copy, past 128 KB a fresh mmap and its page faults. The GIL is
   held throughout and no Python code runs meanwhile, so one buffer serves every call; past
   SCRATCH_KEPT a call gets (and frees) its own. */
#define SCRATCH_KEPT ((size_t)1 << 20)
static char *scratch;
static size_t scratch_size;
/* set while a call writes to the scratch buffer: an error's exception object may start the
   garbage collector, whose finalizers could call write_rows again; that call gets its own */
static int scratch_busy;

static char *scratch_for(size_t size) {
    if (scratch_busy || size > SCRATCH_KEPT) return PyMem_RawMalloc(size);
    if (size > scratch_size) {
        char *grown = PyMem_RawRealloc(scratch, SCRATCH_KEPT < 2 * size ? SCRATCH_KEPT : 2 * size);
        if (grown == NULL) return NULL;
        scratch = grown;
        scratch_size = SCRATCH_KEPT < 2 * size ? SCRATCH_KEPT : 2 * size;
    }
    scratch_busy = 1;
    return scratch;
}

static void scratch_done(char *buffer) {
    if (buffer == scratch)
        scratch_busy = 0;
    else
        PyMem_RawFree(buffer);
}

static PyObject *write_rows(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *rows;
    int digits;
    if (!PyArg_ParseTuple(args, "Oi:write_rows", &rows, &digits)) return NULL;
    if (digits < 0 || digits > MAX_DIGITS) {
        PyErr_Format(PyExc_ValueError, "digits must be 0 to %d, not %d", MAX_DIGITS, digits);
        return NULL;
    }
    if (!PyTuple_Check(rows) && !PyList_Check(rows)) {
        PyErr_Format(PyExc_TypeError, "rows must be a tuple or a list, not %.100s",
                     Py_TYPE(rows)->tp_name);
        return NULL;
    }
    /* no Python code runs below (exact types only), so the sequence cannot change size */
    Py_ssize_t n = PySequence_Fast_GET_SIZE(rows);
    PyObject **items = PySequence_Fast_ITEMS(rows);
    if (n > (PY_SSIZE_T_MAX - 2) / (ROW_MAX + 1)) return PyErr_NoMemory();
    char *start = scratch_for((size_t)(2 + n * (ROW_MAX + 1)));
    if (start == NULL) return PyErr_NoMemory();
    char *p = start;
    int64_t sums[4] = {0, 0, 0, 0};
    *p++ = '[';
    for (Py_ssize_t i = 0; i < n && p != NULL; i++) {
        if (i) *p++ = ',';
        p = put_row(p, items[i], digits, sums);
    }
    PyObject *body = NULL;
    if (p != NULL) {
        *p++ = ']';
        body = PyBytes_FromStringAndSize(start, p - start);
    }
    scratch_done(start);
    if (body == NULL) return NULL;
    PyObject *totals = totals_of(sums, digits);
    if (totals == NULL) {
        Py_DECREF(body);
        return NULL;
    }
    PyObject *result = PyTuple_Pack(2, body, totals);
    Py_DECREF(body);
    Py_DECREF(totals);
    return result;
}

static PyMethodDef methods[] = {
    {"write_rows", write_rows, METH_VARARGS,
     "write_rows(rows, digits) -> (JSON bytes of the installments, the five totals as text)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_rows_json", "A schedule's rows as JSON bytes (app/api/rows_json.py).",
    -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__rows_json(void) {
    PyDateTime_IMPORT;
    if (PyDateTimeAPI == NULL) return NULL;
    return PyModule_Create(&module);
}
