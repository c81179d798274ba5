"""Word lists the generator combines into English titles, overviews and taglines."""
from __future__ import annotations

ADJECTIVES = (
    "Silent", "Broken", "Last", "Hidden", "Golden", "Dark", "Crimson", "Forgotten", "Wild",
    "Lost", "Burning", "Frozen", "Secret", "Endless", "Hollow", "Savage", "Quiet", "Electric",
    "Midnight", "Velvet", "Iron", "Bitter", "Distant", "Fallen", "Restless", "Perfect",
    "Final", "Little", "Brave", "Lonely", "Scarlet", "Shattered", "Sacred", "Wicked",
    "Crooked", "Glass", "Stolen", "Haunted", "Eternal", "Northern", "Southern", "Invisible",
    "Reckless", "Tender", "Hungry", "Sleeping", "Rising", "Falling", "Deadly", "Lucky",
    "Strange", "Gentle", "Bright", "Cold", "Blue", "Black", "White", "Red", "Silver", "Paper",
    "Stone", "Dangerous", "Beautiful", "Ordinary", "Impossible", "Borrowed", "Painted",
    "Sunken", "Desert", "Neon", "Atomic", "Royal", "Wandering", "Sweet", "Empty",
    "Second", "Infinite", "Phantom", "Jagged", "Hallowed", "Copper", "Emerald", "Winter",
)

NOUNS = (
    "Road", "River", "House", "Garden", "Kingdom", "Empire", "Storm", "Shadow", "Heart",
    "Dream", "Promise", "Secret", "Island", "City", "Night", "Morning", "Horizon", "Mirror",
    "Machine", "Signal", "Frontier", "Harbor", "Station", "Forest", "Mountain", "Ocean",
    "Sky", "Star", "Moon", "Sun", "Fire", "Echo", "Voice", "Letter", "Key", "Door", "Bridge",
    "Tower", "Castle", "Crown", "Sword", "Song", "Dance", "Game", "Hunt", "Chase", "Escape",
    "Return", "Journey", "Voyage", "Legacy", "Witness", "Stranger", "Hunter", "Soldier",
    "Detective", "Doctor", "Thief", "Ghost", "Angel", "Devil", "Wolf", "Tiger", "Raven",
    "Fox", "Horse", "Dragon", "Lion", "Orchid", "Rose", "Lantern", "Compass", "Clock",
    "Engine", "Circus", "Hotel", "Diner", "Motel", "Highway", "Village", "Valley", "Canyon",
    "Lake", "Coast", "Tide", "Wave", "Rain", "Snow", "Thunder", "Lightning", "Fever",
    "Silence", "Memory", "Paradise", "Labyrinth", "Prophecy", "Protocol", "Code", "Cipher",
    "Affair", "Verdict", "Season", "Harvest", "Carnival", "Requiem", "Symphony", "Ballad",
    "Waltz", "Frequency", "Orbit", "Pilgrim", "Outlaw", "Sheriff", "Widow", "Heir",
)

AGENT_NOUNS = (
    "Keeper", "Thief", "King", "Queen", "Runner", "Maker", "Dancer", "Killer", "Club",
    "Project", "Files", "Affair", "Job", "Effect", "Paradox", "Protocol", "Diaries",
    "Conspiracy", "Chronicles", "Society", "Experiment", "Incident", "Heist", "Assignment",
)

PLURALS = (
    "Days", "Nights", "Years", "Seconds", "Miles", "Ways", "Lives", "Wishes", "Graves",
    "Sisters", "Brothers", "Strangers", "Bullets", "Kings", "Doors", "Rooms", "Summers",
    "Winters", "Letters", "Minutes", "Hours", "Steps", "Shadows", "Ghosts",
)

NUMBERS = ("Two", "Three", "Four", "Five", "Seven", "Nine", "Ten", "Twelve", "Forty", "Hundred")

FIRST_NAMES = (
    "Lucy", "Margaret", "Eleanor", "Frank", "Harry", "Jack", "Rosie", "Walter", "Clara",
    "Oscar", "Mabel", "Vincent", "Iris", "Leo", "Nora", "Sam", "Ruby", "Arthur", "Maya",
    "Theo", "Daisy", "Felix", "Hazel", "Jonah", "Stella", "Milo", "Violet", "Eddie", "June",
    "Abe", "Grace", "Billy", "Ada", "Max", "Lola", "Otis", "Sadie", "Gus", "Ivy", "Henry",
)

LAST_NAMES = (
    "Hart", "Blake", "Moreno", "Kowalski", "Nakamura", "Okafor", "Lindqvist", "Duarte",
    "Fitzgerald", "Park", "Rossi", "Dubois", "Schneider", "Walsh", "Carter", "Nguyen",
    "Bennett", "Hayes", "Silva", "Novak", "Ivanova", "O'Connell", "Brooks", "Mendes",
    "Holloway", "Castellano", "Abernathy", "Yamada", "Kim", "Reyes", "Sato", "Laurent",
    "Weber", "Bianchi", "Quinn", "Foster", "Gallagher", "Ortega", "Lambert", "Marsh",
)

PLACES = (
    "Paris", "Havana", "Brooklyn", "Tangier", "Vegas", "Alaska", "Montana", "Tokyo",
    "Berlin", "Cairo", "Texas", "the Dark", "the Rain", "the Snow", "Winter", "Venice",
    "Marrakesh", "Nevada", "the Valley", "Eden", "Harlem", "the Desert", "Bombay", "Reno",
)

VERB_PHRASES = (
    "Finding", "Saving", "Chasing", "Loving", "Killing", "Waiting for", "Remembering",
    "Becoming", "Leaving", "Searching for", "Dancing with", "Running from", "Burying",
    "Meeting", "Missing", "Escaping",
)

SUBTITLES = (
    "Reckoning", "Resurrection", "Rising", "The Return", "Endgame", "Legacy", "Revenge",
    "The Final Chapter", "Origins", "Homecoming", "Aftermath", "Reborn", "Retribution",
)

# Overview fragments: "{opening}, {character} {inciting}. {follow_up}"
SETTINGS = (
    "In 1970s Marseille", "On a remote Scottish island", "In a near-future Tokyo",
    "In a sleepy Midwestern town", "During the last winter of the war", "In present-day Lagos",
    "Aboard a failing space station", "In the back streets of Naples", "In a crumbling mansion",
    "On the eve of a royal wedding", "In a city that never sleeps", "Deep in the Amazon",
    "In a quiet suburb", "At a prestigious boarding school", "In the Wild West",
    "Across a drought-stricken valley", "In post-war Berlin", "On a luxury cruise liner",
    "In a small fishing village", "Beneath the streets of London",
)

CHARACTERS = (
    "a retired detective", "a young nurse", "two estranged brothers", "a struggling musician",
    "a disgraced surgeon", "a teenage runaway", "a small-town sheriff", "an ambitious lawyer",
    "a widowed farmer", "a gifted forger", "a reluctant heir", "a former soldier",
    "a cynical journalist", "a lonely astronaut", "an aging boxer", "a shy librarian",
    "a ruthless CEO", "three childhood friends", "a talented chef", "a rookie cop",
    "a grieving father", "an undercover agent", "a fearless pilot", "a washed-up actor",
)

INCIDENTS = (
    "discovers a hidden map", "receives a mysterious letter", "inherits a crumbling hotel",
    "witnesses a murder", "wakes up with no memory", "finds a stranger at the door",
    "stumbles onto a conspiracy", "is framed for a crime", "falls for the wrong person",
    "uncovers a family secret", "enters a dangerous competition", "loses everything overnight",
    "makes a deal with a powerful enemy", "answers a call for help",
    "returns home after years away",
    "finds a signal from deep space", "is hired for one last job", "adopts an unusual pet",
)

FOLLOW_UPS = (
    "What begins as a simple favor soon spirals into something far more dangerous.",
    "Now, with time running out, they must decide who to trust.",
    "The truth will change everything they thought they knew.",
    "An unforgettable journey of courage, friendship and second chances.",
    "But some doors, once opened, can never be closed again.",
    "Together they must face the past before it destroys their future.",
    "A story about love, loss and the families we choose.",
    "The closer they get to the truth, the deadlier the game becomes.",
    "It will take every ounce of nerve to make it out alive.",
    "What follows is a wild ride nobody saw coming.",
    "Old wounds reopen as the stakes rise higher than ever.",
    "Nothing will ever be the same again.",
)

TAGLINES = (
    "Some secrets never stay buried.", "Every legend has a beginning.",
    "Trust no one.", "The past is never past.", "One night. One chance.",
    "Fear has a new address.", "Love knows no borders.", "Nobody gets out clean.",
    "The truth has a price.", "Home is where the heart breaks.", "Run.",
    "It's not the end. It's the beginning.", "Hope is the strongest weapon.",
    "Some debts can't be repaid.", "They never saw it coming.", "Dare to dream.",
    "The hunt is on.", "A story ten years in the making.", "Family is everything.",
    "Be careful what you wish for.",
)

# Keyword vocabulary per genre: (keyword id, name), used by generated movies.
GENRE_KEYWORDS: dict[int, tuple[tuple[int, str], ...]] = {
    28: ((9748, "revenge"), (1308, "shootout"), (10950, "car chase"), (3070, "mercenary")),
    12: ((4270, "treasure hunt"), (1721, "expedition"), (6075, "jungle"), (1612, "island")),
    16: ((9951, "talking animals"), (11477, "anime"), (10336, "adventure for kids")),
    35: ((9663, "road trip"), (6270, "high school"), (179430, "wedding"), (9799, "parody")),
    80: ((10051, "heist"), (207268, "organized crime"), (703, "detective"), (1568, "undercover")),
    99: ((187056, "woman director"), (11162, "biography"), (2849, "nature")),
    18: ((10683, "coming of age"), (6054, "family relationships"), (13088, "grief")),
    10751: ((9715, "christmas"), (6186, "dog"), (10508, "family holiday")),
    14: ((616, "witch"), (4337, "magic"), (12554, "dragon"), (3205, "fairy tale")),
    36: ((6091, "world war ii"), (5565, "based on true story"), (4566, "royalty")),
    27: ((12339, "haunted house"), (6152, "supernatural"), (12377, "zombie"), (3133, "slasher")),
    10402: ((4344, "musical"), (6029, "rock band"), (12392, "jazz")),
    9648: ((10714, "serial killer"), (1523, "whodunit"), (10483, "disappearance")),
    10749: ((9673, "love triangle"), (242, "new york city"), (818, "based on novel")),
    878: ((4565, "time travel"), (1613, "space"), (9882, "artificial intelligence"),
          (310, "alien")),
    10770: ((1453, "small town"), (9716, "holiday")),
    53: ((10540, "hostage"), (11322, "conspiracy"), (1569, "stalker")),
    10752: ((1956, "world war i"), (6092, "battlefield"), (2790, "resistance")),
    37: ((5049, "sheriff"), (15103, "outlaw"), (1505, "frontier")),
}
