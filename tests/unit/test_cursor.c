/* test_cursor.c - the bounds-checked reader: values, short reads, sticky errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cursor.h"

static void
test_reads_in_order(void **state)
{
	(void)state;
	const uint8_t b[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b };
	struct tq_cursor c = tq_cursor_make(b, sizeof(b));
	assert_int_equal(tq_get_u8(&c), 0x01);
	assert_int_equal(tq_get_be16(&c), 0x0203);
	assert_int_equal(tq_get_be32(&c), 0x04050607);
	assert_int_equal(tq_get_be24(&c), 0x08090a);
	assert_int_equal(c.left, 1);
	assert_int_equal(c.err, 0);
}

static void
test_short_read_is_sticky(void **state)
{
	(void)state;
	const uint8_t b[] = { 0xaa, 0xbb, 0xcc };
	struct tq_cursor c = tq_cursor_make(b, sizeof(b));
	assert_int_equal(tq_get_be32(&c), 0);       /* 3 bytes left: refused */
	assert_int_equal(c.err, TQ_ETRUNC);
	assert_int_equal(c.left, 3);                /* nothing consumed */
	assert_int_equal(tq_get_u8(&c), 0);         /* and every later read fails */
	assert_int_equal(c.err, TQ_ETRUNC);
}

/* Two lengths: a read past the captured bytes but within those on the wire is
 * TQ_ETRUNC ("Packet size limited during capture"), past both TQ_EMALFORMED. */
static void
test_captured_and_reported(void **state)
{
	(void)state;
	const uint8_t b[] = { 1, 2, 3, 4, 5, 6 };
	struct tq_cursor c = tq_cursor_make2(b, 4, 6);      /* 4 captured of 6 on the wire */
	assert_int_equal(tq_get_be16(&c), 0x0102);
	assert_int_equal(c.left, 2);
	assert_int_equal(c.rleft, 4);
	assert_int_equal(tq_get_be32(&c), 0);               /* 4 more were on the wire, 2 captured */
	assert_int_equal(c.err, TQ_ETRUNC);
	assert_int_equal(c.left, 2);
	c = tq_cursor_make2(b, 4, 6);
	tq_skip(&c, 2);
	assert_int_equal(tq_get_be32(&c) | tq_get_u8(&c), 0);
	assert_int_equal(c.err, TQ_ETRUNC);                 /* the first failure stays */
	c = tq_cursor_make2(b, 4, 6);
	tq_skip(&c, 4);
	tq_skip(&c, 3);                                     /* 2 were left on the wire */
	assert_int_equal(c.err, TQ_EMALFORMED);
	c = tq_cursor_make2(b, 4, 2);                       /* a reported length below the captured one counts as it */
	assert_int_equal(c.rleft, 4);
	tq_skip(&c, 5);
	assert_int_equal(c.err, TQ_EMALFORMED);
	c = tq_cursor_make(b, 3);                           /* the length on the wire unknown: cut short */
	tq_skip(&c, 4);
	assert_int_equal(c.err, TQ_ETRUNC);
}

static void
test_little_endian_and_64(void **state)
{
	(void)state;
	const uint8_t b[] = { 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 1, 2, 3, 4, 5, 6, 7, 8 };
	struct tq_cursor c = tq_cursor_make(b, sizeof(b));
	assert_int_equal(tq_get_le16(&c), 0x1234);
	assert_int_equal(tq_get_le32(&c), 0x12345678);
	assert_true(tq_get_be64(&c) == 0x0102030405060708ULL);
	assert_int_equal(c.left, 0);
	tq_skip(&c, 1);
	assert_int_equal(c.err, TQ_ETRUNC);
}

static void
test_peek_out_of_range(void **state)
{
	(void)state;
	const uint8_t b[] = { 1, 2, 3 };
	assert_int_equal(tq_peek_be16(b, sizeof(b), 1), 0x0203);
	assert_int_equal(tq_peek_be16(b, sizeof(b), 2), 0);
	assert_int_equal(tq_peek_be32(b, sizeof(b), 0), 0);
	assert_int_equal(tq_peek_u8(b, sizeof(b), 3), 0);
	assert_int_equal(tq_peek_be16(b, sizeof(b), SIZE_MAX), 0);
}

static void
test_bytes_zero_on_failure(void **state)
{
	(void)state;
	const uint8_t b[] = { 9, 9 };
	uint8_t out[4] = { 1, 1, 1, 1 };
	struct tq_cursor c = tq_cursor_make(b, sizeof(b));
	tq_get_bytes(&c, out, sizeof(out));
	assert_int_equal(c.err, TQ_ETRUNC);
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_in_order),
		cmocka_unit_test(test_short_read_is_sticky),
		cmocka_unit_test(test_captured_and_reported),
		cmocka_unit_test(test_little_endian_and_64),
		cmocka_unit_test(test_peek_out_of_range),
		cmocka_unit_test(test_bytes_zero_on_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
