"""How a name written in a script is shown to a viewer (credits, prompts): `McCLANE` -> `McClane`.

Screenplays write character cues in capitals, so the case a viewer should see has to be rebuilt.
Python's `str.title()` gets names wrong (`WOMAN'S VOICE` -> `Woman'S Voice`, `McCLANE` ->
`Mcclane`), so each word is cased by the rules a credits typist follows:

- a word the writer gave lower-case letters keeps them, and a run of capitals after them is a
  new capitalised part (`McCLANE` -> `McClane`, `DeNIRO` -> `DeNiro`, `Marcus` stays);
- a word in capitals is capitalised part by part: after a hyphen (`JEAN-LUC` -> `Jean-Luc`) and
  after a one-letter prefix and an apostrophe (`O'BRIEN` -> `O'Brien`), but not before a
  possessive `'S` (`WOMAN'S` -> `Woman's`); `MC` starts a new part (`MCCLANE` -> `McClane`;
  `MAC` does not, as in Macy or Mack);
- a part with digits keeps its case (`R2-D2`, `C-3PO`), but ordinals read `2nd`;
- known acronyms (`TV`, `FBI`, `DJ`) and Roman numerals after the first word (`HENRY VIII`)
  stay capitals; short joining words after the first word are lower case (`MAN IN THE HAT` ->
  `Man in the Hat`, `JUAN DE LA CRUZ` -> `Juan de la Cruz`).
"""

from __future__ import annotations

import re

ACRONYMS = frozenset({
    "TV", "FBI", "CIA", "NSA", "DJ", "CEO", "EMT", "NYPD", "LAPD", "GPS", "DA", "DI", "DCI", "PA",
    "MC", "AI", "ER", "CSI", "SWAT", "UN", "US", "USA", "UK", "MP", "GI", "CPR", "ATM", "VIP", "HQ",
})
ROMAN = frozenset({"II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII", "XIII", "XIV", "XV", "XX"})
SMALL = frozenset({"and", "of", "the", "in", "on", "at", "to", "for", "with", "a", "an", "or", "de", "la",
                   "del", "du"})

_WORD = re.compile(r"(\s+)")
_APOSTROPHE = "'\u2019"
_ORDINAL = re.compile(r"(\d+)(ST|ND|RD|TH)", re.IGNORECASE)


def display_name(name: str) -> str:
    """`name` (any case, words separated by whitespace, which is kept) as a viewer reads it."""
    pieces = _WORD.split(name)
    out = []
    first = True
    for piece in pieces:
        if not piece or piece.isspace():
            out.append(piece)
            continue
        out.append(_word(piece, first))
        first = False
    return "".join(out)


def _word(word: str, first: bool) -> str:
    if any(c.islower() for c in word):
        # The writer chose this case: only runs of capitals after a lower-case letter are cased.
        return _after_lower(word)
    bare = word.strip(".,;:!?()\"")
    if bare in ACRONYMS or (not first and bare in ROMAN):
        return word
    if not first and word.lower() in SMALL:
        return word.lower()
    return "-".join(_part(part) for part in word.split("-"))


def _after_lower(word: str) -> str:
    """Each run of capitals that follows a lower-case letter, capitalised: `McCLANE` -> `McClane`."""
    out = []
    run = False             # inside a run of capitals that began after a lower-case letter
    previous = ""
    for char in word:
        if char.isupper() and (run or previous.islower()):
            out.append(char if not run else char.lower())
            run = True
        else:
            out.append(char)
            run = False
        previous = char
    return "".join(out)


def _part(part: str) -> str:
    """One hyphen-separated part of a word in capitals."""
    if any(c.isdigit() for c in part):
        return _ORDINAL.sub(lambda m: m[1] + m[2].lower(), part)
    for mark in _APOSTROPHE:
        head, sep, tail = part.partition(mark)
        if sep:
            if len(head.strip("(\"")) == 1 and len(tail) > 1:     # O'BRIEN, D'ARTAGNAN
                return _cap(head) + sep + _cap(tail)
            return _cap(head) + sep + tail.lower()                # WOMAN'S, ROCK'N'ROLL
    if part.upper().startswith("MC") and len(part) > 3 and part[2:3].isalpha():
        return "Mc" + _cap(part[2:])
    return _cap(part)


def _cap(text: str) -> str:
    """The first letter (after any leading punctuation) in capitals, the rest in lower case."""
    for index, char in enumerate(text):
        if char.isalpha():
            return text[:index] + char.upper() + text[index + 1:].lower()
    return text


# ---------------------------------------------------------------------------------- who they are

#: Words in a name or a look that say a person's gender (a look is the writer's description:
#: "woman in her sixties, grey braid", "old keeper, white beard").
FEMALE_WORDS = frozenset({
    "woman", "women", "girl", "girls", "lady", "ladies", "she", "her", "hers", "herself", "female", "mother", "mom",
    "mum", "mommy", "mummy", "mama", "grandmother", "grandma", "granny", "gran", "nana", "aunt", "auntie", "sister",
    "daughter", "wife", "bride", "widow", "girlfriend", "niece", "queen", "princess", "duchess", "empress",
    "countess", "baroness", "nun", "abbess", "actress", "waitress", "hostess", "stewardess", "heiress", "goddess",
    "priestess", "witch", "maid", "maiden", "madam", "madame", "mrs", "ms", "miss", "mistress", "matron",
    "landlady", "policewoman", "businesswoman", "chairwoman", "congresswoman", "sportswoman", "schoolgirl",
    "housewife", "heroine", "diva", "ballerina", "sorority", "gal", "lass", "lassie", "dame", "mademoiselle",
    "señora", "señorita", "senora", "senorita", "frau", "fräulein", "signora",
})
MALE_WORDS = frozenset({
    "man", "men", "boy", "boys", "gentleman", "gentlemen", "guy", "guys", "he", "him", "his", "himself", "male",
    "father", "dad", "daddy", "papa", "pa", "grandfather", "grandpa", "gramps", "uncle", "brother", "son",
    "husband", "groom", "bridegroom", "widower", "boyfriend", "nephew", "king", "prince", "duke", "emperor",
    "baron", "lord", "monk", "abbot", "friar", "actor", "waiter", "steward",
    "priest", "wizard", "sir", "mr", "master", "policeman", "businessman", "chairman", "congressman",
    "sportsman", "fisherman", "fireman", "postman", "doorman", "cameraman", "salesman", "schoolboy", "hero",
    "lad", "bloke", "fellow", "chap", "beard", "bearded", "moustache", "mustache", "moustached", "mustached",
    "goatee", "sideburns", "señor", "senor", "herr", "signor", "monsieur", "dude", "bro",
})
CHILD_WORDS = frozenset({
    "child", "children", "kid", "kids", "toddler", "baby", "infant", "boy", "girl", "schoolgirl", "schoolboy",
    "youngster", "tot",
})
#: Words that make a girl or a boy old enough to speak as an adult.
TEEN_WORDS = frozenset({"teen", "teens", "teenage", "teenaged", "teenager", "adolescent", "thirteen", "fourteen",
                        "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"})
OLD_WORDS = frozenset({
    "old", "elderly", "aged", "ageing", "aging", "grandmother", "grandma", "granny", "gran", "nana", "grandfather",
    "grandpa", "gramps", "widow", "widower", "retired", "wrinkled", "frail", "ancient", "veteran", "crone",
    "sixties", "seventies", "eighties", "nineties", "sixty", "seventy", "eighty", "ninety", "white-haired",
    "grey-haired", "gray-haired", "hunched", "stooped",
})
#: Common English given names, by the gender most who bear them have. A name many of either
#: gender bear (Alex, Sam, Jordan, Taylor) is in neither.
FEMALE_NAMES = frozenset("""
    abigail ada addison adele agnes aileen alice alicia alison amanda amber amelia amy ana andrea angela anita
    ann anna anne annie april aria ariana audrey ava barbara beatrice becky bella belle bernadette beth bethany
    betty beverly bianca bonnie brenda bridget brittany brooke camila candice carla carmen carol caroline
    carolyn carrie cassandra catherine cecilia celia charlotte chelsea cheryl chloe christina christine
    cindy claire clara claudia colleen connie cora courtney cynthia daisy dana daphne deborah debra delia
    denise diana diane dolores donna dora doris dorothy edith eileen elaine eleanor elena eliza elizabeth
    ella ellen ellie eloise elsa elsie emilia emily emma erica erin esther eva evelyn faith fiona flora
    florence frances gabriella gemma georgia geraldine gertrude gina gladys gloria grace gwen hannah harriet
    hazel heather helen helena hilda holly ida irene iris isabel isabella isla ivy jacqueline jane janet
    janice jasmine jean jennifer jenny jessica jill joan joanna jocelyn josephine joy joyce judith judy julia
    julie june karen kate katherine kathleen kathryn katie kay kelly kim kimberly kitty laura lauren leah
    lena lily linda lisa lois lorraine louise lucia lucy luna lydia mabel madeline madison maggie mandy
    margaret margot maria marian marie marilyn marion marjorie martha mary maud maureen maxine may megan
    melanie melissa mia michelle mildred millie miranda miriam molly monica nancy naomi natalie nell nellie
    nicole nina nora norma olive olivia paige pamela patricia paula pauline pearl peggy penelope penny phoebe
    phyllis polly priscilla rachel rebecca regina rita roberta rosa rosalind rose rosemary ruby ruth sabrina
    sadie sally samantha sandra sara sarah scarlett sharon sheila shirley sofia sophia sophie stella
    stephanie susan suzanne sylvia tamara tanya teresa tessa theresa tina tracy ursula valerie vanessa
    vera veronica victoria violet virginia vivian wanda wendy whitney winifred yvonne zoe zoë zelda
    maría lucía carmen rosa isabela gabriela
    mom mum ma nan
""".split())
MALE_NAMES = frozenset("""
    aaron abraham adam adrian aidan alan albert alexander alfred andrew angus anthony archie arnold arthur
    barry ben benjamin bernard bill billy bob bobby brad bradley brandon brian bruce bryan caleb calvin carl
    carlos cecil charles charlie chester chris christopher clarence claude clifford clint clive colin conor
    craig curtis dale damian dan daniel danny darren dave david dean dennis derek desmond dick dominic don
    donald doug douglas duncan dylan earl eddie edgar edmund edward edwin eli elijah elliot elmer emmett eric
    ernest ethan eugene evan felix fergus floyd francis frank franklin fred freddie frederick gabriel gary
    gavin geoffrey george gerald gilbert glen gordon graham grant greg gregory gus harold harry harvey
    hector henry herbert herman howard hugh hugo ian isaac ivan jack jacob jake james jared jason jasper
    jeff jeffrey jeremy jerome jerry jim jimmy joe joel john johnny jonathan joseph joshua juan julian justin
    karl keith ken kenneth kevin kyle lance larry lawrence leo leon leonard leroy leslie lewis liam lionel
    logan louis lucas luke luther malcolm marcus mario mark martin marvin matt matthew maurice max melvin
    michael mike miles milton mitchell nathan nathaniel neil nelson nicholas nick noah norman oliver oscar
    owen patrick paul percy perry pete peter philip phillip ralph randy ray raymond reggie reginald rex
    richard rick rob robert rodney roger roland ron ronald ross roy rudy russell ryan samuel scott sean
    sebastian seth shane silas simon stanley stephen steve steven stuart ted terry theo theodore thomas tim
    timothy toby todd tom tommy tony travis trevor tyler victor vincent walter warren wayne wesley wilbur
    will william willie winston zach zachary
    jose josé luis miguel pedro diego pablo javier antonio manuel francisco rafael
    dad pa pop
""".split())

_WORDS = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*|\d+")
_AGE = re.compile(r"(?:\b(?:of|aged?)\s+(\d{1,3})\b|\b(\d{1,3})\s*(?:-?\s*years?\s*-?\s*old|yo\b|y/o))", re.IGNORECASE)


def person(name: str, look: str = "") -> tuple[str | None, str]:
    """What a script says of someone's gender ("female", "male" or None when it does not say)
    and age ("child", "old" or "adult"), from their name (`MRS. BLOOM`, `OLD MAN`, `GIRL #2`,
    `NELL`) and their look ("girl of twelve, red coat", "old keeper, white beard").

    Words in the name and look count first (the more of them for one gender, the surer);
    then the first given name, from lists of common English names. A stated age ("of twelve",
    "70-year-old", "in her sixties") or words like "old", "elderly", "child" give the age."""
    words = [w.lower().strip("'\u2019") for w in _WORDS.findall(f"{name} {look}")]
    tokens = [w.split("'")[0].split("\u2019")[0] for w in words]       # WOMAN'S -> woman
    parts = {p for w in tokens for p in w.split("-")} | set(tokens)
    female = sum(w in FEMALE_WORDS or (w.endswith("woman") and w != "woman") for w in tokens)
    male = sum(w in MALE_WORDS for w in tokens)
    gender = "female" if female > male else "male" if male > female else None
    if gender is None:
        given = [w for w in (t.lower().strip(".'\u2019") for t in name.split()) if w.isalpha()
                 and w not in {"mr", "mrs", "ms", "dr", "the", "young", "old", "little", "big", "officer", "captain"}]
        first = given[0] if given else ""
        gender = "female" if first in FEMALE_NAMES else "male" if first in MALE_NAMES else None
    age = "adult"
    stated = _AGE.search(look) or _AGE.search(name)
    years = int(stated[1] or stated[2]) if stated else None
    if years is None:
        for number, word in ((12, "twelve"), (11, "eleven"), (10, "ten"), (9, "nine"), (8, "eight"), (7, "seven"),
                             (6, "six"), (5, "five"), (4, "four")):
            if re.search(rf"\bof {word}\b|\b{word}[- ]years?[- ]old\b|\baged {word}\b", look, re.IGNORECASE):
                years = number
                break
    if years is not None:
        age = "child" if years <= 12 else "old" if years >= 60 else "adult"
    elif parts & OLD_WORDS or re.search(r"\bin (?:her|his|their) (?:six|seven|eigh|nine)ties\b", look, re.IGNORECASE):
        age = "old"
    elif parts & CHILD_WORDS and not parts & TEEN_WORDS:
        age = "child"
    return gender, age


__all__ = ["display_name", "person"]
