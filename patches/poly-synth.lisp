; A playable subtractive synthesizer. Each voice: a saw at the note's pitch through a resonant
; low-pass whose cutoff opens with an ADSR envelope, the same envelope on the amplitude, scaled
; by velocity. The voices are summed (32 of them unless the host says otherwise).
; Play it: `patchvm render patches/poly-synth.lisp --midi patches/poly-synth.mid -o poly.wav`.
; CC 74 (brightness) moves the cutoff's resting point from 200 to 4000 Hz; the mod wheel (CC 1)
; the level; pitch bend moves every voice up to two semitones.
(patch
  (nodes
    (level (type "gain") (amp 0.25))
    (out (type "output")))
  (connections
    (synth "out" -> level "in")
    (level "out" -> out "in"))
  (voice synth
    (nodes
      (note (type "voice"))
      (osc (type "osc.saw"))
      (env (type "env.adsr") (attack 0.005) (decay 0.25) (sustain 0.6) (release 0.25))
      (sweep (type "mul") (b 2500))                       ; the envelope's reach: 2500 Hz
      (lp (type "filter.lowpass") (cutoff 600) (q 1.5))   ; cutoff = 600 + 2500 * envelope
      (vca (type "mul"))
      (touch (type "mul")))                               ; velocity
    (connections
      (note "pitch" -> osc "freq")
      (note "gate" -> env "gate")
      (env "out" -> sweep "a")
      (sweep "out" -> lp "cutoff")
      (osc "out" -> lp "in")
      (lp "out" -> vca "a")
      (env "out" -> vca "b")
      (vca "out" -> touch "a")
      (note "velocity" -> touch "b"))
    (inputs
      (cutoff lp "cutoff"))
    (outputs
      (out touch "out")))
  (midi
    (cc 74 -> synth "cutoff" 200 4000)
    (cc 1 -> level "amp" 0 0.5)))
