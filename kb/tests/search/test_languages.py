"""Words in other languages (kb.search: language, lexicon, text): the glossary's translations, inflected forms,
everyday words of the query's language left out, Chinese, Japanese and Korean runs split into words."""

import pytest

from kb.models import Message
from kb.search import language, lexicon, search
from kb.search.text import space_scripts, words


def codes(response, n=3):
    return [r.code for r in response.results[:n]]


def test_a_cjk_run_is_a_word_apart_from_latin_letters_written_against_it():
    assert words("使用者不能登入WebEx。") == ["使用者不能登入", "webex"]
    assert space_scripts("您WebEx密碼") == " 您 WebEx 密碼 "
    assert language.detect("使用者不能登入WebEx。").code == "zh"


def test_two_chinese_characters_from_the_glossary_are_a_word_of_their_own():
    # 會議 (meeting) and 密碼 (password) are whole words: the run is split into the words the glossary knows.
    assert lexicon.split_cjk(["會議已鎖定"]) == ["會議", "鎖定"]
    assert lexicon.split_cjk(["您", "此", "未知的一段話"]) == ["未知的一段話"]  # one or two unknown characters: dropped
    slots = lexicon.slots(words("您WebEx密碼不正確"))
    assert any(slot[0] == "密碼" and "password" in slot for slot in slots)


@pytest.mark.parametrize(
    ("word", "form"),
    [("zablokowanego", "zablokowane"), ("заблокированы", "заблокирован")],
)
def test_an_inflected_form_joins_the_glossary_word_it_inflects(word, form):
    assert form in lexicon.data()["translations"]["locked"] and word not in lexicon.data()["translations"]["locked"]
    assert lexicon.inflected(word) == form
    slot = lexicon.slots([word])[0]
    assert slot[0] == word and "locked" in slot


@pytest.mark.parametrize("word", ["kontrola", "zablo", "blocked"])
def test_a_word_that_only_starts_like_a_translation_is_not_one(word):
    assert lexicon.inflected(word) is None


def test_everyday_words_of_another_language_are_left_out_unless_the_glossary_knows_them():
    text = "To spotkanie jest zablokowane i nie możesz do niego dołączyć."
    lang = language.detect(text)
    assert lang.code == "pl"
    everyday = language.everyday_words(words(text), lang)
    assert {"jest", "nie", "niego"} <= everyday
    typed = [slot[0] for slot in lexicon.slots(words(text), everyday=everyday)]
    assert "jest" not in typed and "niego" not in typed
    assert "spotkanie" in typed and "zablokowane" in typed  # the glossary's (meeting) and its inflection (locked)


def test_english_queries_keep_every_word_but_stopwords():
    lang = language.detect("the meeting is locked and I cannot join")
    assert language.everyday_words(words("the meeting is locked and I cannot join"), lang) == frozenset()


def test_a_polish_message_search_has_not_stored_finds_its_entry_through_the_glossary(kb):
    text = "Konto użytkownika WebEx jest zablokowane."
    Message.objects.filter(text=text).delete()  # as if no client had shipped it: the glossary does the work
    response = search(text, use_cache=False)
    assert codes(response, 1) == ["AccountLocked"]
    assert not response.confident


def test_a_chinese_message_search_has_not_stored_finds_its_entry_through_the_glossary(kb):
    text = "WebEx使用者帳戶已鎖住。"
    Message.objects.filter(text=text).delete()
    response = search(text, use_cache=False)
    assert "AccountLocked" in codes(response)  # 使用者 user, 帳戶 account: 鎖住 (locked) is not in the glossary
    assert not response.confident
