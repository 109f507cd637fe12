; Four bars: 16-step drums, an eighth-note bass line, a four-chord pad on four voices.
(patch
  (drums seq.pattern "[bd ~ ~ ~ sd ~ ~ bd ~ ~ bd ~ sd ~ ~ ~, hh*16]") (mix gain (amp 0.4))
  (-> drums "bd" (drum.kick) mix) (-> drums "sd" (drum.snare) mix) (-> drums "hh" (drum.hat_closed) mix)
  (bass seq.pattern "<[c2 c3]*4 [ab1 ab2]*4 [eb2 eb3]*4 [g1 g2]*4>" (legato 0.5))
  (-> bass "freq" (osc.saw) (mul (b (bass "gate"))) (filter.lowpass (cutoff 700)) mix)
  (chords seq.pattern "<Cm7 Abmaj7 Ebmaj7 Gm7>") (-> chords "notes" pad "notes")
  (voice pad (voices 4) (nodes (osc osc.triangle) (vca mul)) (connections (-> osc vca))
    (inputs (freq osc "freq") (gate vca "b")) (outputs (out vca "out")))
  (-> pad (gain (amp 0.1)) mix) (-> mix out) (out output))
