;; The n-gram loop of log line blooms (logs-bloom.ts addNgrams), as WebAssembly: the same bits,
;; in about half the time of the JavaScript loop, over one line (ngrams) or over every line of a
;; run of a Native String column (lines). ngrams-wasm.ts holds this module compiled
;; (scripts/build-wasm.mjs); ngrams.ts manages its memory.
(module
  (memory (export "memory") 1)

  ;; ngrams sets, in the filter whose 32-bit words start at byte address $words, the two bits
  ;; of every 4-byte n-gram of memory[$src, $src + $n): for an n-gram v (its bytes read little
  ;; endian), bit imul(v, 0x9e3779b1) >>> $shift and bit imul(v ^ (v >>> 15), 0x85ebca6b) >>>
  ;; $shift, bit p being bit (p & 31) of word p >>> 5.
  (func $ngrams (export "ngrams") (param $src i32) (param $n i32) (param $words i32) (param $shift i32)
    (local $v i32) (local $end i32) (local $p i32) (local $a i32)
    (if (i32.lt_u (local.get $n) (i32.const 4)) (then (return)))
    (local.set $end (i32.add (local.get $src) (local.get $n)))
    (local.set $v
      (i32.or
        (i32.or
          (i32.shl (i32.load8_u (local.get $src)) (i32.const 8))
          (i32.shl (i32.load8_u offset=1 (local.get $src)) (i32.const 16)))
        (i32.shl (i32.load8_u offset=2 (local.get $src)) (i32.const 24))))
    (local.set $src (i32.add (local.get $src) (i32.const 3)))
    (loop $next
      (local.set $v
        (i32.or
          (i32.shr_u (local.get $v) (i32.const 8))
          (i32.shl (i32.load8_u (local.get $src)) (i32.const 24))))
      ;; First bit.
      (local.set $p (i32.shr_u (i32.mul (local.get $v) (i32.const 0x9e3779b1)) (local.get $shift)))
      (local.set $a
        (i32.add (local.get $words) (i32.shl (i32.shr_u (local.get $p) (i32.const 5)) (i32.const 2))))
      (i32.store (local.get $a)
        (i32.or (i32.load (local.get $a)) (i32.shl (i32.const 1) (local.get $p))))
      ;; Second bit.
      (local.set $p
        (i32.shr_u
          (i32.mul
            (i32.xor (local.get $v) (i32.shr_u (local.get $v) (i32.const 15)))
            (i32.const 0x85ebca6b))
          (local.get $shift)))
      (local.set $a
        (i32.add (local.get $words) (i32.shl (i32.shr_u (local.get $p) (i32.const 5)) (i32.const 2))))
      (i32.store (local.get $a)
        (i32.or (i32.load (local.get $a)) (i32.shl (i32.const 1) (local.get $p))))
      (br_if $next
        (i32.lt_u (local.tee $src (i32.add (local.get $src) (i32.const 1))) (local.get $end)))))

  ;; lines sets the bits of every line of memory[$src, $src + $n), a run of a Native String
  ;; column: each line a LEB128 length, then its bytes. It returns 0, or -1 when a length is cut
  ;; short or runs past the end (the lines before it are hashed).
  (func (export "lines") (param $src i32) (param $n i32) (param $words i32) (param $shift i32)
    (result i32)
    (local $end i32) (local $len i32) (local $b i32) (local $sh i32)
    (local.set $end (i32.add (local.get $src) (local.get $n)))
    (block $done
      (loop $line
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $len (i32.const 0))
        (local.set $sh (i32.const 0))
        (loop $varint
          (if (i32.ge_u (local.get $src) (local.get $end)) (then (return (i32.const -1))))
          ;; A length of more than five bytes (past 2^35) is not one a column holds.
          (if (i32.gt_u (local.get $sh) (i32.const 28)) (then (return (i32.const -1))))
          (local.set $b (i32.load8_u (local.get $src)))
          (local.set $src (i32.add (local.get $src) (i32.const 1)))
          (local.set $len
            (i32.or (local.get $len)
              (i32.shl (i32.and (local.get $b) (i32.const 0x7f)) (local.get $sh))))
          (local.set $sh (i32.add (local.get $sh) (i32.const 7)))
          (br_if $varint (i32.and (local.get $b) (i32.const 0x80))))
        (if (i32.gt_u (local.get $len) (i32.sub (local.get $end) (local.get $src)))
          (then (return (i32.const -1))))
        (call $ngrams (local.get $src) (local.get $len) (local.get $words) (local.get $shift))
        (local.set $src (i32.add (local.get $src) (local.get $len)))
        (br $line)))
    (i32.const 0))
)
