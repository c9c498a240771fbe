/* multi_workflow_telemetry_speedups: the whitespace proofs of multi_workflow_telemetry.fast, in C.
 *
 * The package's fast tiers trust a parser's reading of a line only when re-encoding that reading
 * gives the line's own tokens back (fast.same_length, fast.same_text): then no key was repeated
 * and every number was read exactly. In Python each proof costs a `translate` (a new bytes object)
 * and a `count` per line, more than a tenth of a valid line's time when the emitter spaces its
 * separators (`json.dumps`, tabs). Here each is one pass over the bytes, with no allocation.
 *
 * These functions compute exactly what the Python definitions in fast.py compute (the tests
 * compare the two on every kind of input); the package uses them when this module is installed
 * and its own Python otherwise.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* JSON's insignificant whitespace (RFC 8259 §2): fast.WHITESPACE. */
static inline int is_ws(unsigned char b) { return b == ' ' || b == '\t' || b == '\n' || b == '\r'; }

/* How many bytes of p[0:n] are one of a, b, c, d. With SSE2 (every x86-64), 16 bytes at a time:
 * each byte's matches summed in an 8-bit lane (at most 255 rounds), the lanes then added up;
 * gcc's own vector code for the plain loop runs five times slower. Elsewhere, the plain loop. */
static Py_ssize_t count_of(const unsigned char *p, Py_ssize_t n, unsigned char a, unsigned char b,
                           unsigned char c, unsigned char d) {
    Py_ssize_t total = 0, i = 0;
#if defined(__SSE2__)
    const __m128i va = _mm_set1_epi8((char)a), vb = _mm_set1_epi8((char)b), vc = _mm_set1_epi8((char)c),
                  vd = _mm_set1_epi8((char)d), zero = _mm_setzero_si128();
    while (n - i >= 16) {
        __m128i sums = zero;
        Py_ssize_t stop = n - i >= 16 * 255 ? i + 16 * 255 : n - 15;
        for (; i < stop; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
            __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)),
                                       _mm_or_si128(_mm_cmpeq_epi8(v, vc), _mm_cmpeq_epi8(v, vd)));
            sums = _mm_sub_epi8(sums, hit); /* a hit is 0xFF, that is -1 */
        }
        __m128i halves = _mm_sad_epu8(sums, zero); /* the 16 lanes as two 64-bit sums */
        total += _mm_cvtsi128_si32(halves) + _mm_extract_epi16(halves, 4);
    }
#endif
    for (; i < n; i++) {
        unsigned char x = p[i];
        total += (x == a) | (x == b) | (x == c) | (x == d);
    }
    return total;
}

static Py_ssize_t count_ws(const unsigned char *p, Py_ssize_t n) { return count_of(p, n, ' ', '\t', '\n', '\r'); }
static Py_ssize_t count_spaces(const unsigned char *p, Py_ssize_t n) { return count_of(p, n, ' ', ' ', ' ', ' '); }

/* bytes or bytearray only: what the Python definitions take (a str is encoded there, not here). */
static int view(PyObject *o, const unsigned char **p, Py_ssize_t *n, const char *name) {
    if (PyBytes_Check(o)) {
        *p = (const unsigned char *)PyBytes_AS_STRING(o);
        *n = PyBytes_GET_SIZE(o);
        return 0;
    }
    if (PyByteArray_Check(o)) {
        *p = (const unsigned char *)PyByteArray_AS_STRING(o);
        *n = PyByteArray_GET_SIZE(o);
        return 0;
    }
    PyErr_Format(PyExc_TypeError, "%s must be bytes or bytearray, not %.100s", name, Py_TYPE(o)->tp_name);
    return -1;
}

PyDoc_STRVAR(same_length_doc,
"same_length(written, raw, /) -> bool\n\n"
"fast.same_length: whether `written`, less its spaces, is as long as `raw` less its JSON whitespace.");

static PyObject *same_length(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    const unsigned char *w, *r;
    Py_ssize_t nw, nr;
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "same_length() takes 2 arguments (%zd given)", nargs);
        return NULL;
    }
    if (view(args[0], &w, &nw, "written") < 0 || view(args[1], &r, &nr, "raw") < 0)
        return NULL;
    if (nw == nr)
        Py_RETURN_TRUE;
    return PyBool_FromLong(nw - count_spaces(w, nw) == nr - count_ws(r, nr));
}

PyDoc_STRVAR(same_text_doc,
"same_text(written, raw, /) -> bool\n\n"
"fast.same_text: whether `written` without its spaces equals `raw` without its JSON whitespace.");

static PyObject *same_text(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    const unsigned char *w, *r;
    Py_ssize_t nw, nr, i = 0, j = 0;
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "same_text() takes 2 arguments (%zd given)", nargs);
        return NULL;
    }
    if (view(args[0], &w, &nw, "written") < 0 || view(args[1], &r, &nr, "raw") < 0)
        return NULL;
    for (;;) {
        while (i < nw && w[i] == ' ')
            i++;
        while (j < nr && is_ws(r[j]))
            j++;
        if (i == nw || j == nr)
            return PyBool_FromLong(i == nw && j == nr);
        if (w[i] != r[j])
            Py_RETURN_FALSE;
        i++;
        j++;
    }
}

static PyMethodDef methods[] = {
    {"same_length", (PyCFunction)(void (*)(void))same_length, METH_FASTCALL, same_length_doc},
    {"same_text", (PyCFunction)(void (*)(void))same_text, METH_FASTCALL, same_text_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "multi_workflow_telemetry_speedups",
    "The whitespace proofs of multi_workflow_telemetry.fast, in C (optional: the package has them in Python).",
    0, methods,
};

PyMODINIT_FUNC PyInit_multi_workflow_telemetry_speedups(void) { return PyModuleDef_Init(&module); }
