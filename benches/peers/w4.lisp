; bench-peers w4 (fx): saw 110 Hz -> the w2 low-pass -> feedback delay
; y[n] = x[n] + 0.5 y[n - 14400] (0.3 s) -> Freeverb (room 0.5, damping 0.5, 33 % wet),
; out = 0.25 (0.67 y + 0.33 wet): the reverb mixes dry and wet. Mono Freeverb, as the
; hand-written Rust, Faust and scsynth run it (reverb.stereo's left output is the same
; signal at twice the cost).
(patch
  (nodes
    (saw (type "osc.saw") (freq 110))
    (lp (type "filter.lowpass") (cutoff 1200) (q 2))
    (echo (type "delay.feedback") (time 0.3) (feedback 0.5) (mix 1))
    (verb (type "reverb.mono") (room_size 0.5) (damping 0.5) (mix 0.33))
    (level (type "gain") (amp 0.25))
    (out (type "output")))
  (connections
    (saw "out" -> lp "in")
    (lp "out" -> echo "in")
    (echo "out" -> verb "in")
    (verb "out" -> level "in")
    (level "out" -> out "in")))
