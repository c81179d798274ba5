"""Words the generator uses for non-English originals, with their English titles.

Each concept is written per language as it would open a title (article included);
German nouns keep their capital, the other languages are lower case and the title
is capitalised when built.
"""
from __future__ import annotations

FOREIGN_LANGUAGES = ("fr", "es", "ja", "ko", "de", "it")

# English, then fr, es, ja, ko, de, it.
CONCEPTS: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("The Night", "la nuit", "la noche", "夜", "밤", "die Nacht", "la notte"),
    ("The Sea", "la mer", "el mar", "海", "바다", "das Meer", "il mare"),
    ("The Wind", "le vent", "el viento", "風", "바람", "der Wind", "il vento"),
    ("The Promise", "la promesse", "la promesa", "約束", "약속", "das Versprechen", "la promessa"),
    ("Memory", "la mémoire", "la memoria", "記憶", "기억", "die Erinnerung", "la memoria"),
    ("The Flower", "la fleur", "la flor", "花", "꽃", "die Blume", "il fiore"),
    ("Summer", "l'été", "el verano", "夏", "여름", "der Sommer", "l'estate"),
    ("Winter", "l'hiver", "el invierno", "冬", "겨울", "der Winter", "l'inverno"),
    ("The Rain", "la pluie", "la lluvia", "雨", "비", "der Regen", "la pioggia"),
    ("The House", "la maison", "la casa", "家", "집", "das Haus", "la casa"),
    ("The Road", "la route", "el camino", "道", "길", "der Weg", "la strada"),
    ("The Heart", "le cœur", "el corazón", "心", "마음", "das Herz", "il cuore"),
    ("The Moon", "la lune", "la luna", "月", "달", "der Mond", "la luna"),
    ("Fire", "le feu", "el fuego", "火", "불", "das Feuer", "il fuoco"),
    ("Silence", "le silence", "el silencio", "沈黙", "침묵", "die Stille", "il silenzio"),
    ("The Light", "la lumière", "la luz", "光", "빛", "das Licht", "la luce"),
    ("The Shadow", "l'ombre", "la sombra", "影", "그림자", "der Schatten", "l'ombra"),
    ("The River", "la rivière", "el río", "川", "강", "der Fluss", "il fiume"),
    ("The Garden", "le jardin", "el jardín", "庭", "정원", "der Garten", "il giardino"),
    ("The Sister", "la sœur", "la hermana", "姉", "누나", "die Schwester", "la sorella"),
    ("The Father", "le père", "el padre", "父", "아버지", "der Vater", "il padre"),
    ("The Child", "l'enfant", "el niño", "子供", "아이", "das Kind", "il bambino"),
    ("The Stranger", "l'étranger", "el extraño", "見知らぬ人", "낯선 사람", "der Fremde", "lo straniero"),
    ("The Wolf", "le loup", "el lobo", "狼", "늑대", "der Wolf", "il lupo"),
    ("The Bird", "l'oiseau", "el pájaro", "鳥", "새", "der Vogel", "l'uccello"),
    ("The Dream", "le rêve", "el sueño", "夢", "꿈", "der Traum", "il sogno"),
    ("The Secret", "le secret", "el secreto", "秘密", "비밀", "das Geheimnis", "il segreto"),
    ("The Island", "l'île", "la isla", "島", "섬", "die Insel", "l'isola"),
    ("The Last Train", "le dernier train", "el último tren", "最終列車", "마지막 기차",
     "der letzte Zug", "l'ultimo treno"),
    ("The Letter", "la lettre", "la carta", "手紙", "편지", "der Brief", "la lettera"),
)

LANGUAGE_COLUMN = {"fr": 1, "es": 2, "ja": 3, "ko": 4, "de": 5, "it": 6}

# "X and Y" per language; Korean's particle depends on the last syllable of X.
CONJUNCTIONS = {"fr": "et", "es": "y", "de": "und", "it": "e"}

# (English city, native city) per language.
CITIES: dict[str, tuple[tuple[str, str], ...]] = {
    "fr": (("Paris", "Paris"), ("Marseille", "Marseille"), ("Lyon", "Lyon"), ("Nice", "Nice")),
    "es": (("Madrid", "Madrid"), ("Seville", "Sevilla"), ("Barcelona", "Barcelona"),
           ("Buenos Aires", "Buenos Aires")),
    "ja": (("Tokyo", "東京"), ("Osaka", "大阪"), ("Kyoto", "京都"), ("Sapporo", "札幌")),
    "ko": (("Seoul", "서울"), ("Busan", "부산"), ("Incheon", "인천"), ("Jeju", "제주")),
    "de": (("Berlin", "Berlin"), ("Hamburg", "Hamburg"), ("Munich", "München"),
           ("Vienna", "Wien")),
    "it": (("Rome", "Roma"), ("Naples", "Napoli"), ("Milan", "Milano"), ("Venice", "Venezia")),
}

# "X in <city>" per language, for the languages that put the city last.
CITY_PREPOSITIONS = {"fr": "à", "es": "en", "de": "in", "it": "a"}
