//! Each feature of the notation against events worked out by hand.

use crate::{events, expect};
use patchvm_pattern::mini::Pattern;

#[test]
fn steps_split_the_cycle_equally_and_rests_are_silent() {
    assert_eq!(
        events("bd sd hh", 0, 1),
        expect(&["0 1/3 bd", "1/3 2/3 sd", "2/3 1 hh"])
    );
    assert_eq!(
        events("bd ~ sd -", 0, 1),
        expect(&["0 1/4 bd", "1/2 3/4 sd"])
    );
    assert_eq!(events("bd", 0, 3), expect(&["0 1 bd", "1 2 bd", "2 3 bd"]));
}

#[test]
fn brackets_subdivide_a_step() {
    assert_eq!(
        events("bd [sd hh]", 0, 1),
        expect(&["0 1/2 bd", "1/2 3/4 sd", "3/4 1 hh"])
    );
    assert_eq!(
        events("bd [sd [hh oh]]", 0, 1),
        expect(&["0 1/2 bd", "1/2 3/4 sd", "3/4 7/8 hh", "7/8 1 oh"])
    );
}

#[test]
fn star_repeats_and_slash_slows() {
    assert_eq!(
        events("bd*2 sd", 0, 1),
        expect(&["0 1/4 bd", "1/4 1/2 bd", "1/2 1 sd"])
    );
    // bd/2 starts every other cycle and lasts its step's length twice over.
    assert_eq!(
        events("bd/2 sd", 0, 2),
        expect(&["0 1 bd", "1/2 1 sd", "3/2 2 sd"])
    );
    // 1.5 times: the child's cycles 0, 1 and 2 start at 0, 2/3 and 4/3.
    assert_eq!(
        events("bd*1.5", 0, 2),
        expect(&["0 2/3 bd", "2/3 4/3 bd", "4/3 2 bd"])
    );
}

#[test]
fn angle_brackets_alternate_per_cycle_nested_too() {
    assert_eq!(
        events("<bd sd hh>", 0, 4),
        expect(&["0 1 bd", "1 2 sd", "2 3 hh", "3 4 bd"])
    );
    assert_eq!(
        events("<bd <sd hh>>", 0, 4),
        expect(&["0 1 bd", "1 2 sd", "2 3 bd", "3 4 hh"])
    );
    // `<a@3 b>` is `[a@3 b]/4`: a holds three cycles.
    assert_eq!(events("<bd@3 sd>", 0, 4), expect(&["0 3 bd", "3 4 sd"]));
}

#[test]
fn euclidean_rhythms_follow_bjorklund_rotated_right() {
    assert_eq!(
        events("bd(3,8)", 0, 1),
        expect(&["0 1/8 bd", "3/8 1/2 bd", "3/4 7/8 bd"])
    );
    // x..x..x. rotated right by 2 is x.x..x..
    assert_eq!(
        events("bd(3,8,2)", 0, 1),
        expect(&["0 1/8 bd", "1/4 3/8 bd", "5/8 3/4 bd"])
    );
    assert_eq!(
        events("bd(5,8)", 0, 1),
        expect(&[
            "0 1/8 bd",
            "1/4 3/8 bd",
            "3/8 1/2 bd",
            "5/8 3/4 bd",
            "3/4 7/8 bd"
        ])
    );
    // A rhythm samples what plays at each of its onsets: bd, bd, then sd from 1/2.
    assert_eq!(
        events("[bd sd](3,8)", 0, 1),
        expect(&["0 1/8 bd", "3/8 1/2 bd", "3/4 7/8 sd"])
    );
}

#[test]
fn at_elongates_and_underscore_too() {
    assert_eq!(events("bd@3 sd", 0, 1), expect(&["0 3/4 bd", "3/4 1 sd"]));
    assert_eq!(events("bd _ _ sd", 0, 1), expect(&["0 3/4 bd", "3/4 1 sd"]));
    assert_eq!(events("bd@1.5 sd", 0, 1), expect(&["0 3/5 bd", "3/5 1 sd"]));
}

#[test]
fn bang_replicates_and_repeats_cycles() {
    assert_eq!(
        events("bd! sd", 0, 1),
        expect(&["0 1/3 bd", "1/3 2/3 bd", "2/3 1 sd"])
    );
    assert_eq!(
        events("bd!3 sd", 0, 1),
        expect(&["0 1/4 bd", "1/4 1/2 bd", "1/2 3/4 bd", "3/4 1 sd"])
    );
    assert_eq!(events("bd ! ! sd", 0, 1), events("bd!3 sd", 0, 1));
    // Replicating an alternation repeats its cycle: bd bd, then sd sd.
    assert_eq!(
        events("<bd sd>!2 hh", 0, 2),
        expect(&[
            "0 1/3 bd",
            "1/3 2/3 bd",
            "2/3 1 hh",
            "1 4/3 sd",
            "4/3 5/3 sd",
            "5/3 2 hh"
        ])
    );
}

#[test]
fn question_mark_drops_by_the_random_number_at_the_onset() {
    // Strudel's generator answers 0 at time 0, and `?` keeps events above the amount:
    // `?0` drops the onset at 0 only; `?1` drops everything.
    assert_eq!(
        events("bd?0", 0, 4),
        expect(&["1 2 bd", "2 3 bd", "3 4 bd"])
    );
    assert_eq!(events("bd?1", 0, 4), expect(&[]));
}

#[test]
fn pipe_chooses_per_cycle() {
    // At cycle 0 the generator answers 0: the first option.
    assert_eq!(
        events("bd sd | hh", 0, 1),
        expect(&["0 1/2 bd", "1/2 1 sd"])
    );
    // Every cycle plays exactly one of the options, whole.
    for cycle in 0..16 {
        let got = events("bd sd | hh", cycle, cycle + 1);
        let c = cycle.to_string();
        let half = format!("{}/2", 2 * cycle + 1);
        let next = (cycle + 1).to_string();
        let option_a = vec![
            (c.clone(), half.clone(), "bd".to_owned()),
            (half, next.clone(), "sd".to_owned()),
        ];
        let option_b = vec![(c, next, "hh".to_owned())];
        assert!(got == option_a || got == option_b, "cycle {cycle}: {got:?}");
    }
}

#[test]
fn commas_stack_chords() {
    assert_eq!(
        events("[bd,sd,hh]", 0, 1),
        expect(&["0 1 bd", "0 1 sd", "0 1 hh"])
    );
    assert_eq!(
        events("[c4,e4,g4] ~", 0, 1),
        expect(&["0 1/2 n60", "0 1/2 n64", "0 1/2 n67"])
    );
    assert_eq!(events("bd*2, hh*3", 0, 1).len(), 5);
}

#[test]
fn braces_play_polymeters() {
    assert_eq!(
        events("{bd sd hh}%4", 0, 2),
        expect(&[
            "0 1/4 bd",
            "1/4 1/2 sd",
            "1/2 3/4 hh",
            "3/4 1 bd",
            "1 5/4 sd",
            "5/4 3/2 hh",
            "3/2 7/4 bd",
            "7/4 2 sd",
        ])
    );
    // Without `%` the first sequence sets the steps per cycle (two).
    assert_eq!(
        events("{bd sd, hh oh ht}", 0, 2),
        expect(&[
            "0 1/2 bd", "0 1/2 hh", "1/2 1 sd", "1/2 1 oh", "1 3/2 bd", "1 3/2 ht", "3/2 2 sd",
            "3/2 2 hh",
        ])
    );
}

#[test]
fn colon_sets_a_velocity() {
    assert_eq!(
        events("bd:0.5 sd", 0, 1),
        expect(&["0 1/2 bd:0.5", "1/2 1 sd"])
    );
    assert_eq!(
        events("[bd sd]:0.25", 0, 1),
        expect(&["0 1/2 bd:0.25", "1/2 1 sd:0.25"])
    );
}

#[test]
fn dots_group_like_brackets() {
    assert_eq!(
        events("bd sd . hh hh hh", 0, 1),
        events("[bd sd] [hh hh hh]", 0, 1)
    );
    assert_eq!(
        events("bd sd . hh hh hh", 0, 1),
        expect(&[
            "0 1/4 bd",
            "1/4 1/2 sd",
            "1/2 2/3 hh",
            "2/3 5/6 hh",
            "5/6 1 hh"
        ])
    );
}

#[test]
fn numbers_notes_and_words() {
    assert_eq!(
        events("60 -1 0.5", 0, 1),
        expect(&["0 1/3 #60", "1/3 2/3 #-1", "2/3 1 #0.5"])
    );
    assert_eq!(
        events("c4 eb3 f#5 cs4 c", 0, 1),
        expect(&[
            "0 1/5 n60",
            "1/5 2/5 n51",
            "2/5 3/5 n78",
            "3/5 4/5 n61",
            "4/5 1 n48"
        ])
    );
    let pattern = Pattern::parse("bd sd [bd hh] c4 kick-2").unwrap();
    assert_eq!(pattern.words(), ["bd", "sd", "hh", "kick-2"]);
}

#[test]
fn queries_answer_onsets_only_with_their_whole_span() {
    // The event at 0 lasts past 1/2 but starts before the span: not repeated.
    let pattern = Pattern::parse("bd@3 sd").unwrap();
    let mut out = Vec::new();
    pattern.query(crate::r("1/2")..crate::r("1"), 0, &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!((out[0].begin, out[0].end), (crate::r("3/4"), crate::r("1")));
}
