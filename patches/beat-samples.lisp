; One node plays the kit: the sample bank names every audio file in samples/ by its name
; (clap, hat, kick, open-hat, snare, tom), and seq.samples plays a pattern of those words, each
; on its onset. The kit was rendered from patchvm's own drum modules (see samples/make.sh).
; Render it: `patchvm render patches/beat-samples.lisp -o beat.wav --seconds 8`.
(patch
  (transport (bpm 96))
  (samples "samples/")
  (beat seq.samples "<[kick hat snare hat] [kick kick snare [hat hat]]>, ~ ~ ~ [~ clap]")
  (toms seq.samples "~ ~ ~ [tom tom]" (rate 0.75) (gain -6) (pan 0.4))
  (-> beat mix) (-> toms mix)
  (mix gain (amp 0.7))
  (-> mix out) (out output))
