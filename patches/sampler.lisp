; sample.play with the kit in samples/ (rendered from patchvm's own drum modules, see
; samples/make.sh): the kick on three of eight sixteenths, the snare played backwards from its
; end on the backbeat, and the tom as an instrument: a melody drives a voice template whose
; sample.play plays the tom at each note's pitch, at its own pitch on G2 (its root, note 43).
; Render it: `patchvm render patches/sampler.lisp -o sampler.wav --seconds 8`.
(patch
  (transport (bpm 110))
  (kicks seq.euclid (pulses 3) (steps 8))
  (-> kicks "trig" (sample.play "samples/kick.wav") mix)
  (backbeat seq.pattern "~ sd ~ sd")
  (-> backbeat "sd" (sample.play "samples/snare.wav" (rate -1) (gain -6) (pan -0.3)) mix)
  (melody seq.pattern "<[g2 ~ bb2 c3] [d3 ~ c3 bb2]>")
  (-> melody "notes" toms "notes")
  (voice toms (voices 4)
    (nodes (tom sample.play "samples/tom.wav" (root 43) (gain -3) (pan 0.3)))
    (inputs (freq tom "pitch") (trig tom "trig"))
    (outputs (out tom "out")))
  (-> toms mix)
  (mix gain (amp 0.7))
  (-> mix out) (out output))
