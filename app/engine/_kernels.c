/* Certified annualized rates in C (SPEC §3, §11; issue 13): app/engine/certified_rates.py and
 * rate_bounds.py transcribed at one fixed precision, for the flows a loan has.
 *
 * certified_micro(times, amounts, per_year, days_in_year, guess) answers the 6-digit rate j
 * (in millionths, half-up) of flows `amounts` at whole `times` (months, or days; None: 0, 1, 2,
 * …), zero amounts left out, or None when it cannot certify one here; the caller then runs the
 * exact Python, which decides every case. Flows that sum to 0 have the rate 0 exactly. `guess`
 * is a period's rate (a month's for apr), only where Newton starts.
 *
 *   days_in_year == 0: apr. The NPV is Σ a_t · v^t with v = 1 / (1 + r/12), at a tie r a
 *     rational D/N; v is bounded by floor and ceiling of D·2^64/N.
 *   days_in_year == 365: XIRR. One day discounts by w = exp(−ln(1 + r) / 365), bounded by
 *     series summed with every operation rounded outward (rate_bounds.daily_sign's method).
 *
 * Either way the NPV is evaluated by Horner's rule from the last flow in fixed point with 64
 * fraction bits, as an interval [low, high] rounded outward at every product, so the true NPV
 * lies inside; a sign is certified only when the interval excludes 0. A tie the interval cannot
 * sign (a root on or within ~2^-50 of a tie), a rate below 0 or above 100 % a period, amounts
 * beyond 2^61 in all, or more than 200 probes: None. Floats only propose the starting j (Newton
 * in ln(1 + r)), as rate_proposal does: the walk from it over the ties is exact.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>

typedef __int128 i128;
typedef unsigned __int128 u128;

#define ONE ((u128)1 << 64)
#define LOW64(x) ((u128)(uint64_t)(x))
#define HALF_MICRO 2000000 /* ties sit at odd multiples of 1 / (2·10^6) a year */
#define MAX_PROBES 200
#define MAX_FLOWS 100000
#define AMOUNT_LIMIT ((i128)1 << 61) /* Σ|amount|·2^64 stays below 2^125 */
#define UNKNOWN 2                    /* a sign the interval cannot tell */
#define GAP_CACHE 512
#define LIMIT62 ((int64_t)1 << 62)

/* ---- unsigned fixed point, values in [0, 2^64] (factors ≤ 1) -------------------------- */

static u128 mul_floor(u128 a, u128 b) { /* floor(a·b / 2^64), a, b ≤ 2^64 */
    if (a == ONE) return b;
    if (b == ONE) return a;
    return (a * b) >> 64;
}

static u128 mul_ceil(u128 a, u128 b) {
    if (a == ONE) return b;
    if (b == ONE) return a;
    u128 p = a * b;
    return (p >> 64) + ((uint64_t)p != 0);
}

/* ---- signed accumulator × factor ≤ 2^64 ------------------------------------------------- */

static i128 smul_floor(i128 acc, u128 f) { /* floor(acc·f / 2^64), |acc| < 2^126 */
    if (f == ONE) return acc;
    uint64_t ff = (uint64_t)f;
    i128 hi = acc >> 64; /* arithmetic shift: floor, so acc = hi·2^64 + lo with lo ≥ 0 */
    uint64_t lo = (uint64_t)acc;
    return hi * (i128)ff + (i128)(((u128)lo * ff) >> 64);
}

static i128 smul_ceil(i128 acc, u128 f) { return -smul_floor(-acc, f); }

/* ---- the per-unit discount factor at a tie, as an interval ------------------------------ */

/* ln(n/d)·2^64 for d ≤ n ≤ 2d: 2·atanh(z), z = (n−d)/(n+d) ≤ 1/3, each power and term rounded
 * outward; after the last term the tail is below twice the next power (z² ≤ 1/9). */
static void ln_bounds(uint64_t n, uint64_t d, u128 *low, u128 *high) {
    u128 num = (u128)(n - d) << 64;
    u128 den = (u128)n + d;
    u128 z_lo = num / den, z_hi = z_lo + (num % den != 0);
    u128 z2_lo = mul_floor(z_lo, z_lo), z2_hi = mul_ceil(z_hi, z_hi);
    u128 p_lo = z_lo, p_hi = z_hi, s_lo = 0, s_hi = 0;
    for (unsigned odd = 1; p_hi > 1 && odd < 200; odd += 2) {
        s_lo += p_lo / odd;
        s_hi += p_hi / odd + (p_hi % odd != 0);
        p_lo = mul_floor(p_lo, z2_lo);
        p_hi = mul_ceil(p_hi, z2_hi);
    }
    *low = 2 * s_lo;
    *high = 2 * (s_hi + 2 * p_hi + 2);
}

/* exp(x)·2^64 for 0 ≤ x ≤ 2^63 (x/2^64 ≤ 1/2), down or up: the Taylor terms x^k/k! each from
 * the previous, floored (down, until one is 0) or ceiled (up, until one is ≤ 1, plus that term
 * again for the tail: every later ratio x/k is ≤ 1/2). */
static u128 exp_positive(u128 x, int upward) {
    u128 total = ONE, term = ONE;
    for (unsigned k = 1; k < 200; k++) {
        if (upward) {
            u128 t = mul_ceil(term, x);
            term = t / k + (t % k != 0);
            total += term;
            if (term <= 1) return total + term;
        } else {
            term = mul_floor(term, x) / k;
            if (!term) return total;
            total += term;
        }
    }
    return total + (upward ? term : 0);
}

/* w = exp(−ln(n/d) / 365) = 1 / exp(y), y = ln(n/d)/365 ≥ 0: w_lo ≤ w ≤ w_hi ≤ 2^64. */
static void day_factor(uint64_t n, uint64_t d, unsigned days_in_year, u128 *w_lo, u128 *w_hi) {
    u128 l_lo, l_hi;
    ln_bounds(n, d, &l_lo, &l_hi);
    u128 y_lo = l_lo / days_in_year, y_hi = l_hi / days_in_year + (l_hi % days_in_year != 0);
    u128 e_lo = exp_positive(y_lo, 0), e_hi = exp_positive(y_hi, 1);
    const u128 top = ~(u128)0; /* 2^128 − 1 */
    /* floor(2^128 / e_hi) ≥ floor((2^128 − 1) / e_hi); ceil(2^128 / e_lo) = that of e_lo + 1 */
    *w_lo = e_hi == ONE ? ONE : top / e_hi;
    *w_hi = top / e_lo + 1;
}

static void power_bounds(u128 lo, u128 hi, uint64_t exponent, u128 *out_lo, u128 *out_hi) {
    u128 r_lo = ONE, r_hi = ONE;
    while (exponent) {
        if (exponent & 1) {
            r_lo = mul_floor(r_lo, lo);
            r_hi = mul_ceil(r_hi, hi);
        }
        exponent >>= 1;
        if (exponent) {
            lo = mul_floor(lo, lo);
            hi = mul_ceil(hi, hi);
        }
    }
    *out_lo = r_lo;
    *out_hi = r_hi;
}

typedef struct {
    Py_ssize_t count;
    int64_t *times;
    int64_t *amounts;
    int first_sign;
    unsigned per_year;
    unsigned days_in_year; /* 0: apr (rational factor), else XIRR's day count */
    /* gap factors of the tie being signed, cached by gap */
    u128 cache_lo[GAP_CACHE], cache_hi[GAP_CACHE];
    uint32_t cache_tag[GAP_CACHE];
    uint32_t tag;
} Flows;

/* The sign of the NPV at growth n/d per period (n ≥ d), or UNKNOWN. */
static int npv_sign(Flows *f, uint64_t n, uint64_t d) {
    if (n == d) { /* rate 0: the NPV is the plain sum, exactly */
        i128 total = 0;
        for (Py_ssize_t i = 0; i < f->count; i++) total += f->amounts[i];
        return (total > 0) - (total < 0);
    }
    u128 base_lo, base_hi;
    if (f->days_in_year == 0) {
        u128 num = (u128)d << 64;
        base_lo = num / n;
        base_hi = base_lo + (num % n != 0);
    } else {
        day_factor(n, d, f->days_in_year, &base_lo, &base_hi);
    }
    f->tag++;
    if (f->tag == 0) { /* wrapped: forget every tag */
        memset(f->cache_tag, 0, sizeof f->cache_tag);
        f->tag = 1;
    }
    Py_ssize_t last = f->count - 1;
    i128 acc_lo = (i128)f->amounts[last] * ((i128)1 << 64), acc_hi = acc_lo;
    for (Py_ssize_t i = last - 1; i >= 0; i--) {
        uint64_t gap = (uint64_t)(f->times[i + 1] - f->times[i]);
        u128 g_lo, g_hi;
        if (gap < GAP_CACHE && f->cache_tag[gap] == f->tag) {
            g_lo = f->cache_lo[gap];
            g_hi = f->cache_hi[gap];
        } else {
            power_bounds(base_lo, base_hi, gap, &g_lo, &g_hi);
            if (gap < GAP_CACHE) {
                f->cache_lo[gap] = g_lo;
                f->cache_hi[gap] = g_hi;
                f->cache_tag[gap] = f->tag;
            }
        }
        i128 scaled = (i128)f->amounts[i] * ((i128)1 << 64);
        acc_lo = (acc_lo >= 0 ? smul_floor(acc_lo, g_lo) : smul_floor(acc_lo, g_hi)) + scaled;
        acc_hi = (acc_hi >= 0 ? smul_ceil(acc_hi, g_hi) : smul_ceil(acc_hi, g_lo)) + scaled;
    }
    if (acc_lo > 0) return 1;
    if (acc_hi < 0) return -1;
    return UNKNOWN;
}

/* Where the root lies from the tie k / (2·10^6) a year: +1 above, −1 below, 0 on it (an exact
 * 0 only at rate 0 here), UNKNOWN. Above the root the NPV has the first flow's sign. */
static int side(Flows *f, int64_t k) {
    uint64_t d = (uint64_t)HALF_MICRO * f->per_year;
    if (k < 0 || (uint64_t)k > d) return UNKNOWN; /* below 0 or above 100 % a period */
    int sign = npv_sign(f, d + (uint64_t)k, d);
    if (sign == UNKNOWN) return UNKNOWN;
    return -sign * f->first_sign;
}

static int64_t on_tie(int64_t k) { return k > 0 ? (k + 1) / 2 : (k - 1) / 2; }

/* certified_rates._locate: the j whose ties bracket the root, from j = start. */
static int locate(Flows *f, int64_t start, int64_t *micro) {
    int probes = 0;
    int64_t k = 2 * start - 1, below = 0, above = 0;
    int have_below = 0, have_above = 0, where;
#define PROBE(at)                                              \
    do {                                                       \
        if (++probes > MAX_PROBES) return 0;                   \
        where = side(f, (at));                                 \
        if (where == UNKNOWN) return 0;                        \
        if (where == 0) {                                      \
            *micro = on_tie(at);                               \
            return 1;                                          \
        }                                                      \
    } while (0)
    int64_t step = 2;
    for (;;) { /* doubling steps away from the first tie until the root is bracketed */
        PROBE(k);
        if (where > 0) {
            below = k;
            have_below = 1;
        } else {
            above = k;
            have_above = 1;
        }
        if (have_below && have_above) break;
        if (step > ((int64_t)1 << 40)) return 0;
        k = have_above ? above - step : below + step;
        step *= 2;
    }
    while (above - below > 2) {
        int64_t middle = below + ((above - below) / 4) * 2;
        PROBE(middle);
        if (where > 0)
            below = middle;
        else
            above = middle;
    }
#undef PROBE
    *micro = (below + 1) / 2;
    return 1;
}

/* rate_proposal's Newton in x = ln(1 + r), r a period's rate from `guess`: floats propose,
 * nothing more. The annual rate proposed is r × per_year. */
static int propose(const Flows *f, double guess, double *annual) {
    double unit = f->days_in_year ? (double)f->days_in_year : 1.0;
    if (!(guess > -1.0)) return 0;
    double x = log1p(guess);
    for (int step = 0; step < 60; step++) {
        double per_unit = exp(-x / unit), discount = 1.0, value = 0.0, slope = 0.0;
        double powers[GAP_CACHE];
        uint8_t known[GAP_CACHE] = {0};
        for (Py_ssize_t i = 0; i < f->count; i++) {
            int64_t gap = i ? f->times[i] - f->times[i - 1] : 0;
            if (gap >= GAP_CACHE) {
                discount *= pow(per_unit, (double)gap);
            } else if (gap) {
                if (!known[gap]) {
                    powers[gap] = pow(per_unit, (double)gap);
                    known[gap] = 1;
                }
                discount *= powers[gap];
            }
            double term = (double)f->amounts[i] * discount;
            value += term;
            slope -= term * (double)f->times[i];
        }
        slope /= unit;
        if (slope == 0.0 || !isfinite(value + slope)) return 0;
        double change = value / slope;
        x -= change;
        if (fabs(change) < 1e-13 * fmax(1.0, fabs(x))) {
            *annual = expm1(x) * (double)f->per_year;
            return isfinite(*annual);
        }
    }
    return 0;
}

/* An int as int64_t: 1, 0 when it needs more bits (not for this kernel), −1 on a TypeError. */
static int as_int64(PyObject *item, int64_t *out, const char *what) {
    if (!PyLong_Check(item)) {
        PyErr_Format(PyExc_TypeError, "%s must be ints", what);
        return -1;
    }
    int overflow = 0;
    long long value = PyLong_AsLongLongAndOverflow(item, &overflow);
    if (value == -1 && PyErr_Occurred()) return -1;
    *out = value;
    return overflow ? 0 : 1;
}

/* The nonzero flows into f (times None: 0, 1, 2, …); 1, 0 (not for this kernel) or −1. */
static int read_flows(Flows *f, PyObject *times, PyObject *amounts, Py_ssize_t count) {
    Py_ssize_t kept = 0;
    int64_t previous = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        int64_t amount, time = i;
        int read = as_int64(PySequence_Fast_GET_ITEM(amounts, i), &amount, "amounts");
        if (read <= 0) return read;
        if (times) {
            read = as_int64(PySequence_Fast_GET_ITEM(times, i), &time, "times");
            if (read <= 0) return read;
            if (i && time <= previous) {
                PyErr_SetString(PyExc_ValueError, "times must increase");
                return -1;
            }
            previous = time;
        }
        if (amount) {
            f->times[kept] = time;
            f->amounts[kept] = amount;
            kept++;
        }
    }
    f->count = kept;
    return 1;
}

static void flows_init(Flows *f, int64_t *times, int64_t *amounts, unsigned per_year,
                       unsigned days_in_year) {
    f->count = 0;
    f->times = times;
    f->amounts = amounts;
    f->per_year = per_year;
    f->days_in_year = days_in_year;
    memset(f->cache_tag, 0, sizeof f->cache_tag); /* the cached gap factors are unset */
    f->tag = 0;
}

/* The certified j of f's flows from `guess` (a period's rate): 1 with *micro set, or 0 when
 * this kernel cannot certify it (see the module comment). */
static int certify(Flows *f, double guess, int64_t *micro) {
    if (f->count < 2) return 0;
    i128 magnitude = 0, total = 0;
    for (Py_ssize_t i = 0; i < f->count; i++) {
        int64_t a = f->amounts[i];
        magnitude += a < 0 ? -(i128)a : (i128)a;
        total += a;
        if (f->times[i] < 0 || f->times[i] > ((int64_t)1 << 40)) return 0;
    }
    if (magnitude >= AMOUNT_LIMIT) return 0;
    if (total == 0) { /* the NPV at rate 0 is the sum: 0 is the one root, exactly */
        *micro = 0;
        return 1;
    }
    f->first_sign = f->amounts[0] > 0 ? 1 : -1;
    double annual;
    if (!propose(f, guess, &annual)) annual = guess * (double)f->per_year;
    double scaled = annual * 1e6; /* where the exact walk starts: any start gives one answer */
    int64_t start = isfinite(scaled) && fabs(scaled) < 1e12 ? (int64_t)llround(scaled) : 0;
    return locate(f, start, micro);
}

static PyObject *certified_micro(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *times_arg, *amounts_arg;
    unsigned int per_year, days_in_year;
    double guess;
    if (!PyArg_ParseTuple(args, "OOIId", &times_arg, &amounts_arg, &per_year, &days_in_year,
                          &guess))
        return NULL;
    if (per_year == 0 || per_year > 1000 || days_in_year > 1000) {
        PyErr_SetString(PyExc_ValueError, "per_year in 1..1000, days_in_year in 0..1000");
        return NULL;
    }
    PyObject *times = NULL, *amounts = PySequence_Fast(amounts_arg, "amounts must be a sequence");
    if (!amounts) return NULL;
    if (times_arg != Py_None) {
        times = PySequence_Fast(times_arg, "times must be a sequence or None");
        if (!times) {
            Py_DECREF(amounts);
            return NULL;
        }
    }
    PyObject *result = NULL;
    int64_t *buffer = NULL;
    Flows f;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(amounts);
    if (times && count != PySequence_Fast_GET_SIZE(times)) {
        PyErr_SetString(PyExc_ValueError, "times and amounts differ in length");
        goto done;
    }
    if (count > MAX_FLOWS) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    buffer = PyMem_Malloc(2 * ((size_t)count + 1) * sizeof(int64_t));
    if (!buffer) {
        PyErr_NoMemory();
        goto done;
    }
    flows_init(&f, buffer, buffer + count + 1, per_year, days_in_year);
    int read = read_flows(&f, times, amounts, count);
    if (read < 0) goto done;
    int64_t micro;
    if (read == 1 && certify(&f, guess, &micro))
        result = PyLong_FromLongLong(micro);
    else
        result = Py_NewRef(Py_None);
done:
    PyMem_Free(buffer);
    Py_XDECREF(times);
    Py_DECREF(amounts);
    return result;
}

/* loan_rates(rows, months, guess) -> (apr j, XIRR j) | None
 *
 * Both rates of a schedule straight from its rows (amortize's tuples: days at 2, the opening
 * principal at 3, principal, interest and fee at 4–6), as schedule._rates computes them: the
 * principal out at month 0 and day 0, each row's payment at month months − 1 + its number and
 * at its due date's day count; the XIRR walk starts from the apr spread over the actual days.
 * None where a loan's shape does not hold (a payment below 0, none above, a row of 0 days,
 * values past 64 bits) or a rate cannot be certified here: the Python then computes both. */
static PyObject *loan_rates(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *rows_arg;
    Py_ssize_t months;
    double guess;
    if (!PyArg_ParseTuple(args, "Ond", &rows_arg, &months, &guess)) return NULL;
    PyObject *rows = PySequence_Fast(rows_arg, "rows must be a sequence");
    if (!rows) return NULL;
    PyObject *result = NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(rows);
    int64_t *buffer = NULL;
    if (n < 1 || months < 1 || months > MAX_FLOWS || n > MAX_FLOWS) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    buffer = PyMem_Malloc(4 * ((size_t)n + 1) * sizeof(int64_t));
    if (!buffer) {
        PyErr_NoMemory();
        goto done;
    }
    Flows monthly, daily;
    flows_init(&monthly, buffer, buffer + n + 1, 12, 0);
    flows_init(&daily, buffer + 2 * (n + 1), buffer + 3 * (n + 1), 1, 365);
    int64_t day = 0, principal = 0;
    int usable = 1, positive = 0;
    for (Py_ssize_t i = 0; usable && i < n; i++) {
        PyObject *row = PySequence_Fast_GET_ITEM(rows, i);
        if (!PyTuple_Check(row) || PyTuple_GET_SIZE(row) < 7) {
            PyErr_SetString(PyExc_TypeError, "rows are amortize's tuples");
            goto done;
        }
        int64_t v[5]; /* days, opening, principal, interest, fee */
        for (int j = 0; j < 5; j++) {
            int read = as_int64(PyTuple_GET_ITEM(row, j + 2), &v[j], "row values");
            if (read < 0) goto done;
            usable &= read == 1 && v[j] > -LIMIT62 && v[j] < LIMIT62;
        }
        if (!usable) break;
        if (i == 0) {
            principal = v[1];
            monthly.times[0] = daily.times[0] = 0;
            monthly.amounts[0] = daily.amounts[0] = -principal;
            monthly.count = daily.count = 1;
        }
        int64_t payment = v[2] + v[3] + v[4]; /* each below 2^62 in size: no overflow */
        day += v[0];
        usable &= v[0] > 0 && payment >= 0 && payment < LIMIT62;
        if (usable && payment) {
            positive = 1;
            monthly.times[monthly.count] = months + i;
            monthly.amounts[monthly.count++] = payment;
            daily.times[daily.count] = day;
            daily.amounts[daily.count++] = payment;
        }
    }
    int64_t apr, xirr;
    if (!usable || !positive || principal <= 0 || !certify(&monthly, guess, &apr)) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    /* the monthly root spread over the actual days: within ~1e-6 of a schedule's XIRR */
    double seed = pow(1.0 + (double)apr / 12e6, (double)(months + n - 1) * 365.0 / (double)day);
    seed = isfinite(seed) ? seed - 1.0 : 0.1;
    if (!certify(&daily, seed, &xirr))
        result = Py_NewRef(Py_None);
    else
        result = Py_BuildValue("(LL)", (long long)apr, (long long)xirr);
done:
    PyMem_Free(buffer);
    Py_DECREF(rows);
    return result;
}

/* ---- the schedule's level rows (amortize.table's loop) ---------------------------------- */

/* level_rows(balance, calendar, fees, start, stop, times, over, per_day, half_even, amount,
 * level_payment_rows, max_balance) -> (rows, balance, bad) | None
 *
 * amortize.table's level loop for the rows numbered start..stop−1: each row's interest is
 * balance × times (× days when per_day) / over rounded half-up or half-even, its principal
 * amount − interest (level_payment_rows) or amount, its closing balance − principal; rows are
 * (number, due, days, opening, principal, interest, fee, 0, closing) with due, days from
 * calendar[number − 1] and fee from fees[number − 1]. `bad` is 0, or the number of the first
 * row whose closing is above max_balance (positive) or below 0 (negative), the rows before it
 * returned. None when a value needs more than 64 bits (or a product more than 128): the
 * Python loop, which has no limit, runs instead. */

static PyObject *level_rows(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *balance_obj, *calendar, *fees, *times_obj, *over_obj, *amount_obj, *max_obj;
    Py_ssize_t start, stop;
    int per_day, half_even, level_payment_rows;
    if (!PyArg_ParseTuple(args, "OO!O!nnOOppOpO", &balance_obj, &PyTuple_Type, &calendar,
                          &PyList_Type, &fees, &start, &stop, &times_obj, &over_obj, &per_day,
                          &half_even, &amount_obj, &level_payment_rows, &max_obj))
        return NULL;
    int64_t balance, times, over, amount, max_balance;
    int fits = 1, read;
    PyObject *values[] = {balance_obj, times_obj, over_obj, amount_obj};
    int64_t *outs[] = {&balance, &times, &over, &amount};
    for (int i = 0; i < 4; i++) {
        read = as_int64(values[i], outs[i], "amounts and rates");
        if (read < 0) return NULL;
        fits &= read;
    }
    read = as_int64(max_obj, &max_balance, "max_balance");
    if (read < 0) return NULL;
    if (!read || max_balance > LIMIT62) max_balance = LIMIT62; /* past it: the Python decides */
    if (!fits || balance < 0 || balance >= LIMIT62 || times < 0 || times >= ((int64_t)1 << 40) ||
        over <= 0 || over >= LIMIT62 || amount <= -LIMIT62 || amount >= LIMIT62)
        Py_RETURN_NONE;
    if (start < 1 || stop < start || stop - 1 > PyTuple_GET_SIZE(calendar) ||
        stop - 1 > PyList_GET_SIZE(fees)) {
        PyErr_SetString(PyExc_ValueError, "rows start..stop need their calendar and fees");
        return NULL;
    }
    PyObject *rows = PyList_New(0);
    if (!rows) return NULL;
    PyObject *zero = PyLong_FromLong(0);
    long bad = 0;
    for (Py_ssize_t number = start; number < stop; number++) {
        PyObject *when = PyTuple_GET_ITEM(calendar, number - 1);
        PyObject *fee = PyList_GET_ITEM(fees, number - 1);
        if (!PyTuple_Check(when) || PyTuple_GET_SIZE(when) != 2) {
            PyErr_SetString(PyExc_TypeError, "calendar rows are (due, days)");
            goto fail;
        }
        PyObject *due = PyTuple_GET_ITEM(when, 0), *days_obj = PyTuple_GET_ITEM(when, 1);
        int64_t days;
        read = as_int64(days_obj, &days, "days");
        if (read < 0) goto fail;
        if (!read || days < 0 || days > 100000) goto too_big;
        u128 product = (u128)balance * (u128)times * (u128)(per_day ? days : 1);
        u128 charged;
        if (half_even) {
            charged = product / (u128)over;
            u128 twice_rest = 2 * (product % (u128)over);
            if (twice_rest > (u128)over || (twice_rest == (u128)over && (charged & 1))) charged++;
        } else {
            charged = (2 * product + (u128)over) / (2 * (u128)over);
        }
        if (charged >= (u128)LIMIT62) goto too_big;
        int64_t interest = (int64_t)charged;
        int64_t principal = level_payment_rows ? amount - interest : amount;
        i128 closing = (i128)balance - principal; /* principal may be below −2^62 */
        if (closing > max_balance) {
            if (max_balance == LIMIT62) goto too_big;
            bad = (long)number;
            break;
        }
        if (closing < 0) {
            bad = -(long)number;
            break;
        }
        PyObject *row = PyTuple_New(9);
        if (!row) goto fail;
        PyObject *items[9] = {
            PyLong_FromSsize_t(number), Py_NewRef(due), Py_NewRef(days_obj),
            PyLong_FromLongLong(balance), PyLong_FromLongLong(principal),
            PyLong_FromLongLong(interest), Py_NewRef(fee), Py_NewRef(zero),
            PyLong_FromLongLong((long long)closing),
        };
        for (int i = 0; i < 9; i++) PyTuple_SET_ITEM(row, i, items[i]); /* steals each */
        if (!items[0] || !items[3] || !items[4] || !items[5] || !items[8] ||
            PyList_Append(rows, row) < 0) {
            Py_DECREF(row);
            goto fail;
        }
        Py_DECREF(row);
        balance = (int64_t)closing;
    }
    Py_DECREF(zero);
    return Py_BuildValue("(NLl)", rows, (long long)balance, bad);
too_big:
    Py_DECREF(rows);
    Py_DECREF(zero);
    Py_RETURN_NONE;
fail:
    Py_DECREF(rows);
    Py_DECREF(zero);
    return NULL;
}

static PyMethodDef methods[] = {
    {"certified_micro", certified_micro, METH_VARARGS,
     "certified_micro(times, amounts, per_year, days_in_year, guess) -> int | None\n\n"
     "The annualized rate of the flows in millionths, certified, or None (see the module)."},
    {"loan_rates", loan_rates, METH_VARARGS,
     "loan_rates(rows, months, guess) -> (apr j, XIRR j) | None\n\n"
     "Both certified rates of a schedule's rows (see the comment above loan_rates)."},
    {"level_rows", level_rows, METH_VARARGS,
     "level_rows(balance, calendar, fees, start, stop, times, over, per_day, half_even, amount,\n"
     "           level_payment_rows, max_balance) -> (rows, balance, bad) | None\n\n"
     "amortize.table's level loop (see the comment above level_rows in _kernels.c)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_kernels", "Certified annualized rates (issue 13).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__kernels(void) { return PyModule_Create(&module); }
