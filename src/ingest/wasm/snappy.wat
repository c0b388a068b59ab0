;; A snappy block decoder (github.com/google/snappy format_description.txt), as WebAssembly: the
;; decoded bytes land in memory that stays mapped from one body to the next, where the native
;; decoder's fresh output costs more in page faults than the decoding itself. snappy-wasm.ts
;; holds this module compiled (scripts/build-wasm.mjs); snappy.ts copies bodies in and out.
(module
  (memory (export "memory") 1)

  ;; decode decodes the block at memory[$src, $src + $srcLen) to $dst and returns its decoded
  ;; length, -1 for a corrupt block (a truncated varint or element, a copy from offset 0 or from
  ;; before $dst, output past the declared length or short of it) or -2 when the declared length
  ;; is more than $dstLen. It reads only memory[$src, $src + $srcLen) and memory[$dst, $dst +
  ;; $dstLen) and writes only the latter: past the decoded length too when the caller leaves room
  ;; there (an element that starts 80 or more bytes before $dst + $dstLen is copied 16 bytes at a
  ;; time, rounded up), exactly the decoded bytes otherwise.
  (func (export "decode") (param $src i32) (param $srcLen i32) (param $dst i32) (param $dstLen i32)
    (result i32)
    (local $p i32) (local $end i32) (local $d i32) (local $dend i32) (local $oend i32)
    (local $n i32) (local $shift i32) (local $tag i32) (local $c i32) (local $len i32)
    (local $off i32) (local $s i32) (local $q i32) (local $e i32) (local $adv i32)
    (local $plim i32) (local $olim i32)
    (local.set $p (local.get $src))
    (local.set $end (i32.add (local.get $src) (local.get $srcLen)))
    ;; The declared length: a uvarint below 2^32, so at most 5 bytes.
    (loop $varint
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const -1))))
      (local.set $c (i32.load8_u (local.get $p)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (if (i32.and (i32.eq (local.get $shift) (i32.const 28))
            (i32.gt_u (local.get $c) (i32.const 15)))
        (then (return (i32.const -1))))
      (local.set $n
        (i32.or (local.get $n)
          (i32.shl (i32.and (local.get $c) (i32.const 0x7f)) (local.get $shift))))
      (local.set $shift (i32.add (local.get $shift) (i32.const 7)))
      (br_if $varint (i32.ge_u (local.get $c) (i32.const 0x80))))
    (if (i32.gt_u (local.get $n) (local.get $dstLen)) (then (return (i32.const -2))))
    (local.set $d (local.get $dst))
    (local.set $dend (i32.add (local.get $dst) (local.get $n)))
    (local.set $oend (i32.add (local.get $dst) (local.get $dstLen)))
    ;; The fast loop takes elements while 21 or more bytes of input are left (a tag, 4 offset
    ;; bytes or a literal of up to 16 bytes read as 16) and 80 or more of output.
    (local.set $plim
      (select (i32.sub (local.get $end) (i32.const 20)) (local.get $src)
        (i32.ge_u (i32.sub (local.get $end) (local.get $p)) (i32.const 21))))
    (local.set $olim
      (select (i32.sub (local.get $oend) (i32.const 79)) (local.get $dst)
        (i32.ge_u (local.get $dstLen) (i32.const 80))))
    (block $corrupt
      (block $done
        (loop $next
          ;; The fast loop: the common elements, without bounds checks on the input or the
          ;; room past the output; it leaves the rest (long literals, copies from offsets below
          ;; 16, the last bytes of either) to the general path below, one element at a time.
          (block $general
            (br_if $general
              (i32.or (i32.ge_u (local.get $p) (local.get $plim))
                (i32.ge_u (local.get $d) (local.get $olim))))
            (loop $fast
              (local.set $tag (i32.load8_u (local.get $p)))
              (local.set $c (i32.and (local.get $tag) (i32.const 3)))
              (if (local.get $c)
                (then
                  ;; A copy (kind 2 the most common).
                  (if (i32.eq (local.get $c) (i32.const 2))
                    (then
                      (local.set $len
                        (i32.add (i32.shr_u (local.get $tag) (i32.const 2)) (i32.const 1)))
                      (local.set $off (i32.load16_u offset=1 (local.get $p)))
                      (local.set $adv (i32.const 3)))
                    (else
                      (if (i32.eq (local.get $c) (i32.const 1))
                        (then
                          (local.set $len
                            (i32.add
                              (i32.and (i32.shr_u (local.get $tag) (i32.const 2)) (i32.const 7))
                              (i32.const 4)))
                          (local.set $off
                            (i32.or
                              (i32.shl (i32.shr_u (local.get $tag) (i32.const 5)) (i32.const 8))
                              (i32.load8_u offset=1 (local.get $p))))
                          (local.set $adv (i32.const 2)))
                        (else
                          (local.set $len
                            (i32.add (i32.shr_u (local.get $tag) (i32.const 2)) (i32.const 1)))
                          (local.set $off (i32.load offset=1 (local.get $p)))
                          (local.set $adv (i32.const 5))))))
                  (br_if $corrupt
                    (i32.ge_u (i32.sub (local.get $off) (i32.const 1))
                      (i32.sub (local.get $d) (local.get $dst))))
                  (br_if $corrupt
                    (i32.gt_u (local.get $len) (i32.sub (local.get $dend) (local.get $d))))
                  (br_if $general (i32.lt_u (local.get $off) (i32.const 16)))
                  ;; 64 bytes in 16-byte chunks whatever len is: each chunk reads only bytes
                  ;; written before it, and what lies past len is written over later.
                  (local.set $p (i32.add (local.get $p) (local.get $adv)))
                  (local.set $s (i32.sub (local.get $d) (local.get $off)))
                  (v128.store (local.get $d) (v128.load (local.get $s)))
                  (v128.store offset=16 (local.get $d) (v128.load offset=16 (local.get $s)))
                  (v128.store offset=32 (local.get $d) (v128.load offset=32 (local.get $s)))
                  (v128.store offset=48 (local.get $d) (v128.load offset=48 (local.get $s)))
                  (local.set $d (i32.add (local.get $d) (local.get $len))))
                (else
                  ;; A literal of up to 16 bytes, copied as 16.
                  (br_if $general (i32.ge_u (local.get $tag) (i32.const 64)))
                  (local.set $len (i32.shr_u (local.get $tag) (i32.const 2)))
                  (br_if $corrupt
                    (i32.ge_u (local.get $len) (i32.sub (local.get $dend) (local.get $d))))
                  (v128.store (local.get $d) (v128.load offset=1 (local.get $p)))
                  (local.set $p (i32.add (local.get $p) (i32.add (local.get $len) (i32.const 2))))
                  (local.set $d (i32.add (local.get $d) (i32.add (local.get $len) (i32.const 1))))))
              (br_if $fast
                (i32.and (i32.lt_u (local.get $p) (local.get $plim))
                  (i32.lt_u (local.get $d) (local.get $olim))))))
          ;; The general path. Bounds are compared as what is left ($end - $p, $dend - $d: $p <=
          ;; $end and $d <= $dend always hold), which cannot wrap around.
          (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $tag (i32.load8_u (local.get $p)))
          (local.set $c (i32.and (local.get $tag) (i32.const 3)))
          (if (i32.eqz (local.get $c))
            (then
              ;; A literal: its length - 1 in the tag's upper 6 bits, or, for 60 to 63 there, in
              ;; the next 1 to 4 bytes (little endian).
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (local.set $len (i32.shr_u (local.get $tag) (i32.const 2)))
              (if (i32.ge_u (local.get $len) (i32.const 60))
                (then
                  (local.set $c (i32.sub (local.get $len) (i32.const 59)))
                  (br_if $corrupt
                    (i32.lt_u (i32.sub (local.get $end) (local.get $p)) (local.get $c)))
                  (local.set $len (i32.const 0))
                  (local.set $q (local.get $c))
                  (loop $bytes
                    (local.set $q (i32.sub (local.get $q) (i32.const 1)))
                    (local.set $len
                      (i32.or (i32.shl (local.get $len) (i32.const 8))
                        (i32.load8_u (i32.add (local.get $p) (local.get $q)))))
                    (br_if $bytes (local.get $q)))
                  (local.set $p (i32.add (local.get $p) (local.get $c)))))
              ;; len + 1 bytes must be left in the input and below the declared length.
              (br_if $corrupt
                (i32.ge_u (local.get $len) (i32.sub (local.get $end) (local.get $p))))
              (br_if $corrupt
                (i32.ge_u (local.get $len) (i32.sub (local.get $dend) (local.get $d))))
              (local.set $len (i32.add (local.get $len) (i32.const 1)))
              ;; Up to 64 bytes as 16-byte chunks when the input and the output have the
              ;; rounded-up length left; otherwise memory.copy.
              (local.set $e (i32.and (i32.add (local.get $len) (i32.const 15)) (i32.const -16)))
              (if (i32.and
                    (i32.le_u (local.get $len) (i32.const 64))
                    (i32.and
                      (i32.ge_u (i32.sub (local.get $end) (local.get $p)) (local.get $e))
                      (i32.ge_u (i32.sub (local.get $oend) (local.get $d)) (local.get $e))))
                (then
                  (v128.store (local.get $d) (v128.load (local.get $p)))
                  (if (i32.gt_u (local.get $len) (i32.const 16))
                    (then
                      (local.set $q (i32.const 16))
                      (loop $chunks
                        (v128.store (i32.add (local.get $d) (local.get $q))
                          (v128.load (i32.add (local.get $p) (local.get $q))))
                        (br_if $chunks
                          (i32.lt_u
                            (local.tee $q (i32.add (local.get $q) (i32.const 16)))
                            (local.get $len)))))))
                (else (memory.copy (local.get $d) (local.get $p) (local.get $len))))
              (local.set $p (i32.add (local.get $p) (local.get $len)))
              (local.set $d (i32.add (local.get $d) (local.get $len)))
              (br $next)))
          ;; A copy of len bytes from off bytes back: tag kind 1 (len 4 to 11 and the offset's
          ;; upper 3 bits in the tag, its low byte next), 2 (len 1 to 64, a 2-byte offset) or 3
          ;; (len 1 to 64, a 4-byte offset).
          (if (i32.eq (local.get $c) (i32.const 1))
            (then
              (br_if $corrupt (i32.lt_u (i32.sub (local.get $end) (local.get $p)) (i32.const 2)))
              (local.set $len
                (i32.add (i32.and (i32.shr_u (local.get $tag) (i32.const 2)) (i32.const 7))
                  (i32.const 4)))
              (local.set $off
                (i32.or (i32.shl (i32.shr_u (local.get $tag) (i32.const 5)) (i32.const 8))
                  (i32.load8_u offset=1 (local.get $p))))
              (local.set $p (i32.add (local.get $p) (i32.const 2))))
            (else
              (local.set $len (i32.add (i32.shr_u (local.get $tag) (i32.const 2)) (i32.const 1)))
              (if (i32.eq (local.get $c) (i32.const 2))
                (then
                  (br_if $corrupt
                    (i32.lt_u (i32.sub (local.get $end) (local.get $p)) (i32.const 3)))
                  (local.set $off (i32.load16_u offset=1 (local.get $p)))
                  (local.set $p (i32.add (local.get $p) (i32.const 3))))
                (else
                  (br_if $corrupt
                    (i32.lt_u (i32.sub (local.get $end) (local.get $p)) (i32.const 5)))
                  (local.set $off (i32.load offset=1 (local.get $p)))
                  (local.set $p (i32.add (local.get $p) (i32.const 5)))))))
          ;; off is 1 to the bytes written so far (off - 1 wraps around for 0); len fits below
          ;; the declared length.
          (br_if $corrupt
            (i32.ge_u (i32.sub (local.get $off) (i32.const 1))
              (i32.sub (local.get $d) (local.get $dst))))
          (br_if $corrupt (i32.gt_u (local.get $len) (i32.sub (local.get $dend) (local.get $d))))
          (local.set $s (i32.sub (local.get $d) (local.get $off)))
          (local.set $e (i32.add (local.get $d) (local.get $len)))
          (if (i32.ge_u (i32.sub (local.get $oend) (local.get $d)) (i32.const 80))
            (then
              ;; 16-byte chunks, which may write up to 15 bytes past the copy. While off is
              ;; below 16 a chunk from $s holds only off bytes of the pattern that repeats from
              ;; $s: each such chunk doubles the written span of it, until chunks read only
              ;; bytes written before them.
              (local.set $q (local.get $d))
              (block $far
                (loop $near
                  (br_if $far (i32.ge_u (i32.sub (local.get $q) (local.get $s)) (i32.const 16)))
                  (v128.store (local.get $q) (v128.load (local.get $s)))
                  (local.set $q (i32.add (local.get $q) (i32.sub (local.get $q) (local.get $s))))
                  (br_if $near (i32.lt_u (local.get $q) (local.get $e)))))
              (block $copied
                (loop $chunks
                  (br_if $copied (i32.ge_u (local.get $q) (local.get $e)))
                  (v128.store (local.get $q) (v128.load (local.get $s)))
                  (local.set $q (i32.add (local.get $q) (i32.const 16)))
                  (local.set $s (i32.add (local.get $s) (i32.const 16)))
                  (br $chunks))))
            (else
              ;; Near the end of the output: exactly len bytes, byte by byte when the copy
              ;; overlaps what it writes.
              (if (i32.ge_u (local.get $off) (local.get $len))
                (then (memory.copy (local.get $d) (local.get $s) (local.get $len)))
                (else
                  (loop $byte
                    (i32.store8 (local.get $d) (i32.load8_u (local.get $s)))
                    (local.set $s (i32.add (local.get $s) (i32.const 1)))
                    (br_if $byte
                      (i32.lt_u
                        (local.tee $d (i32.add (local.get $d) (i32.const 1)))
                        (local.get $e))))))))
          (local.set $d (local.get $e))
          (br $next)))
      (br_if $corrupt (i32.ne (local.get $d) (local.get $dend)))
      (return (local.get $n)))
    (i32.const -1))
)
