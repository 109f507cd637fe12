; A drum kit played by MIDI notes on the General MIDI drum map: 36 kick, 38 snare, 39 clap,
; 42 closed hat, 46 open hat, 45 tom. A note on raises its drum's trigger (a rise starts the
; drum), its note off lowers it; the drums are summed at half level.
; Play it: `patchvm render patches/drum-kit.lisp --midi patches/drum-kit.mid -o drums.wav`.
(patch
  (nodes
    (kick (type "drum.kick") (decay_s 0.4))
    (snare (type "drum.snare"))
    (clap (type "drum.clap"))
    (hat (type "drum.hat_closed"))
    (open (type "drum.hat_open"))
    (tom (type "drum.tom"))
    (mix (type "gain") (amp 0.5))
    (out (type "output")))
  (connections
    (kick "out" -> mix "in")
    (snare "out" -> mix "in")
    (clap "out" -> mix "in")
    (hat "out" -> mix "in")
    (open "out" -> mix "in")
    (tom "out" -> mix "in")
    (mix "out" -> out "in"))
  (midi
    (note 36 -> kick "trig" 0 1)
    (note 38 -> snare "trig" 0 1)
    (note 39 -> clap "trig" 0 1)
    (note 42 -> hat "trig" 0 1)
    (note 46 -> open "trig" 0 1)
    (note 45 -> tom "trig" 0 1)))
