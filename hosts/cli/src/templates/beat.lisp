; A beat to start from: kick, snare and hats from one mini-notation pattern (as in Tidal
; and Strudel: `~` rests, `*16` repeats, `,` plays two sequences at once), 120 BPM.
; Edit the pattern and save: `patchvm play --watch --quant bar` swaps on the next bar line.
(patch
  (drums seq.pattern "[bd ~ ~ ~ sd ~ ~ bd ~ ~ bd ~ sd ~ ~ ~, hh*16]")
  (mix gain (amp 0.4))
  (-> drums "bd" (drum.kick) mix)
  (-> drums "sd" (drum.snare) mix)
  (-> drums "hh" (drum.hat_closed) mix)
  (-> mix out)
  (out output))
