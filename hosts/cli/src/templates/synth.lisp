; A synth to start from: a saw through a resonant low-pass, shaped by an envelope that a
; square wave opens four times a second. Change a number and save: `patchvm play --watch`
; plays the new version at once, keeping the oscillators' phase.
(patch
  (nodes
    (clock (type "osc.square") (freq 4))
    (env (type "env.adsr") (attack 0.005) (decay 0.15) (sustain 0.4) (release 0.1))
    (saw (type "osc.saw") (freq 110))
    (lp (type "filter.lowpass") (cutoff 1200) (q 2))
    (vca (type "mul"))
    (level (type "gain") (amp 0.3))
    (out (type "output")))
  (connections
    (clock "out" -> env "gate")
    (saw "out" -> lp "in")
    (lp "out" -> vca "a")
    (env "out" -> vca "b")
    (vca "out" -> level "in")
    (level "out" -> out "in")))
