/**
 * Writes data/sample_corpus.jsonl: a few hundred short passages of general knowledge, one
 * {"id", "title", "text"} object per line, built from the hand-written fact tables below. The
 * README's `dpr` examples and the index-build benchmark run on it.
 *
 *   node --import tsx scripts/make_sample_corpus.ts [OUT]
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// [country, capital, continent, language, currency]
const COUNTRIES: Array<[string, string, string, string, string]> = [
  ['France', 'Paris', 'Europe', 'French', 'the euro'],
  ['Germany', 'Berlin', 'Europe', 'German', 'the euro'],
  ['Italy', 'Rome', 'Europe', 'Italian', 'the euro'],
  ['Spain', 'Madrid', 'Europe', 'Spanish', 'the euro'],
  ['Portugal', 'Lisbon', 'Europe', 'Portuguese', 'the euro'],
  ['the Netherlands', 'Amsterdam', 'Europe', 'Dutch', 'the euro'],
  ['Belgium', 'Brussels', 'Europe', 'Dutch, French and German', 'the euro'],
  ['Austria', 'Vienna', 'Europe', 'German', 'the euro'],
  ['Switzerland', 'Bern', 'Europe', 'German, French, Italian and Romansh', 'the Swiss franc'],
  ['Poland', 'Warsaw', 'Europe', 'Polish', 'the złoty'],
  ['Sweden', 'Stockholm', 'Europe', 'Swedish', 'the Swedish krona'],
  ['Norway', 'Oslo', 'Europe', 'Norwegian', 'the Norwegian krone'],
  ['Denmark', 'Copenhagen', 'Europe', 'Danish', 'the Danish krone'],
  ['Finland', 'Helsinki', 'Europe', 'Finnish and Swedish', 'the euro'],
  ['Ireland', 'Dublin', 'Europe', 'Irish and English', 'the euro'],
  ['the United Kingdom', 'London', 'Europe', 'English', 'the pound sterling'],
  ['Greece', 'Athens', 'Europe', 'Greek', 'the euro'],
  ['Hungary', 'Budapest', 'Europe', 'Hungarian', 'the forint'],
  ['the Czech Republic', 'Prague', 'Europe', 'Czech', 'the Czech koruna'],
  ['Romania', 'Bucharest', 'Europe', 'Romanian', 'the Romanian leu'],
  ['Ukraine', 'Kyiv', 'Europe', 'Ukrainian', 'the hryvnia'],
  ['Russia', 'Moscow', 'Europe and Asia', 'Russian', 'the Russian ruble'],
  ['Turkey', 'Ankara', 'Europe and Asia', 'Turkish', 'the Turkish lira'],
  ['Egypt', 'Cairo', 'Africa', 'Arabic', 'the Egyptian pound'],
  ['Nigeria', 'Abuja', 'Africa', 'English', 'the naira'],
  ['Kenya', 'Nairobi', 'Africa', 'Swahili and English', 'the Kenyan shilling'],
  ['Ethiopia', 'Addis Ababa', 'Africa', 'Amharic', 'the birr'],
  ['Morocco', 'Rabat', 'Africa', 'Arabic and Berber', 'the Moroccan dirham'],
  ['Ghana', 'Accra', 'Africa', 'English', 'the Ghanaian cedi'],
  [
    'South Africa',
    'Pretoria (executive), Cape Town (legislative) and Bloemfontein (judicial)',
    'Africa',
    'Zulu, Xhosa, Afrikaans, English and eight other languages',
    'the rand',
  ],
  ['China', 'Beijing', 'Asia', 'Standard Chinese', 'the renminbi'],
  ['Japan', 'Tokyo', 'Asia', 'Japanese', 'the yen'],
  ['South Korea', 'Seoul', 'Asia', 'Korean', 'the South Korean won'],
  ['India', 'New Delhi', 'Asia', 'Hindi and English', 'the Indian rupee'],
  ['Pakistan', 'Islamabad', 'Asia', 'Urdu and English', 'the Pakistani rupee'],
  ['Bangladesh', 'Dhaka', 'Asia', 'Bengali', 'the taka'],
  ['Indonesia', 'Jakarta', 'Asia', 'Indonesian', 'the Indonesian rupiah'],
  ['Thailand', 'Bangkok', 'Asia', 'Thai', 'the baht'],
  ['Vietnam', 'Hanoi', 'Asia', 'Vietnamese', 'the đồng'],
  ['the Philippines', 'Manila', 'Asia', 'Filipino and English', 'the Philippine peso'],
  ['Iran', 'Tehran', 'Asia', 'Persian', 'the Iranian rial'],
  ['Saudi Arabia', 'Riyadh', 'Asia', 'Arabic', 'the Saudi riyal'],
  ['Israel', 'Jerusalem', 'Asia', 'Hebrew', 'the new shekel'],
  ['Mongolia', 'Ulaanbaatar', 'Asia', 'Mongolian', 'the tögrög'],
  ['Nepal', 'Kathmandu', 'Asia', 'Nepali', 'the Nepalese rupee'],
  ['the United States', 'Washington, D.C.', 'North America', 'English', 'the United States dollar'],
  ['Canada', 'Ottawa', 'North America', 'English and French', 'the Canadian dollar'],
  ['Mexico', 'Mexico City', 'North America', 'Spanish', 'the Mexican peso'],
  ['Cuba', 'Havana', 'North America', 'Spanish', 'the Cuban peso'],
  ['Brazil', 'Brasília', 'South America', 'Portuguese', 'the Brazilian real'],
  ['Argentina', 'Buenos Aires', 'South America', 'Spanish', 'the Argentine peso'],
  ['Chile', 'Santiago', 'South America', 'Spanish', 'the Chilean peso'],
  ['Peru', 'Lima', 'South America', 'Spanish, Quechua and Aymara', 'the sol'],
  ['Colombia', 'Bogotá', 'South America', 'Spanish', 'the Colombian peso'],
  ['Venezuela', 'Caracas', 'South America', 'Spanish', 'the bolívar'],
  ['Australia', 'Canberra', 'Oceania', 'English', 'the Australian dollar'],
  ['New Zealand', 'Wellington', 'Oceania', 'English, Māori and New Zealand Sign Language', 'the New Zealand dollar'],
  ['Iceland', 'Reykjavík', 'Europe', 'Icelandic', 'the Icelandic króna'],
];

// [element, symbol, atomic number, fact]
const ELEMENTS: Array<[string, string, number, string]> = [
  [
    'Hydrogen',
    'H',
    1,
    'It is the lightest and most abundant element in the universe, and two of its atoms join one oxygen atom in every water molecule.',
  ],
  [
    'Helium',
    'He',
    2,
    'It is a noble gas, was first detected in the spectrum of the Sun in 1868, and is used to fill balloons and to cool superconducting magnets.',
  ],
  [
    'Lithium',
    'Li',
    3,
    'It is the lightest metal and is the key ingredient of the rechargeable lithium-ion batteries in phones and electric cars.',
  ],
  ['Carbon', 'C', 6, 'It is the basis of all known life; diamond and graphite are two forms of pure carbon.'],
  ['Nitrogen', 'N', 7, "It makes up about 78 percent of the air in Earth's atmosphere."],
  [
    'Oxygen',
    'O',
    8,
    "It makes up about 21 percent of Earth's atmosphere and is needed by animals for respiration; it was isolated in the 1770s by Carl Wilhelm Scheele and Joseph Priestley.",
  ],
  ['Fluorine', 'F', 9, 'It is the most electronegative element, and fluoride compounds are added to toothpaste to prevent tooth decay.'],
  ['Neon', 'Ne', 10, 'It is a noble gas that glows reddish orange in the discharge tubes of neon signs.'],
  [
    'Sodium',
    'Na',
    11,
    'It is a soft alkali metal that reacts violently with water; together with chlorine it forms table salt, sodium chloride.',
  ],
  ['Magnesium', 'Mg', 12, 'It burns with a brilliant white flame and sits at the centre of the chlorophyll molecule.'],
  ['Aluminium', 'Al', 13, "It is the most abundant metal in Earth's crust and is produced from bauxite ore by electrolysis."],
  [
    'Silicon',
    'Si',
    14,
    "It is a semiconductor and the basis of most computer chips; it is the second most abundant element in Earth's crust.",
  ],
  [
    'Phosphorus',
    'P',
    15,
    'It was discovered by Hennig Brand in 1669 and is an essential part of DNA and of the energy-carrying molecule ATP.',
  ],
  ['Sulfur', 'S', 16, 'It is a yellow non-metal found near volcanoes and is used to make sulfuric acid.'],
  ['Chlorine', 'Cl', 17, 'It is a toxic yellow-green gas used to disinfect drinking water and swimming pools.'],
  ['Argon', 'Ar', 18, "It is the third most abundant gas in Earth's atmosphere and is used as an inert shield in welding."],
  ['Potassium', 'K', 19, 'Its symbol comes from the Latin kalium; it is essential for nerve signals and is abundant in bananas.'],
  ['Calcium', 'Ca', 20, 'It is the main mineral in bones and teeth and in limestone and chalk.'],
  [
    'Titanium',
    'Ti',
    22,
    'It is as strong as some steels but much lighter and resists corrosion, so it is used in aircraft and medical implants.',
  ],
  [
    'Iron',
    'Fe',
    26,
    "Its symbol comes from the Latin ferrum; it is the main component of steel and of Earth's core, and it carries oxygen in haemoglobin.",
  ],
  ['Cobalt', 'Co', 27, 'It gives cobalt blue glass and pigments their colour and is used in the cathodes of many lithium-ion batteries.'],
  ['Nickel', 'Ni', 28, "It is used in stainless steel and in coins, and together with iron it forms most of Earth's core."],
  ['Copper', 'Cu', 29, 'It is an excellent conductor of electricity used in wiring; bronze is an alloy of copper and tin.'],
  ['Zinc', 'Zn', 30, 'It is used to galvanise steel against rust, and brass is an alloy of copper and zinc.'],
  ['Arsenic', 'As', 33, 'It is a metalloid notorious as a poison and used in semiconductors such as gallium arsenide.'],
  ['Bromine', 'Br', 35, 'It is one of only two elements that are liquid at room temperature, the other being mercury.'],
  ['Krypton', 'Kr', 36, 'It is a noble gas discovered in 1898 by William Ramsay and Morris Travers.'],
  ['Silver', 'Ag', 47, 'Its symbol comes from the Latin argentum; it has the highest electrical conductivity of any element.'],
  ['Tin', 'Sn', 50, 'Its symbol comes from the Latin stannum; it is used to coat steel cans and in solder.'],
  ['Iodine', 'I', 53, 'It forms a violet vapour when heated, and the thyroid gland needs it to make hormones.'],
  ['Xenon', 'Xe', 54, 'It is a noble gas used in bright car headlamps and in ion thrusters for spacecraft.'],
  ['Caesium', 'Cs', 55, 'Atomic clocks based on caesium-133 define the second in the International System of Units.'],
  [
    'Tungsten',
    'W',
    74,
    'It has the highest melting point of all metals, about 3,422 degrees Celsius, and was used for light bulb filaments.',
  ],
  ['Platinum', 'Pt', 78, 'It is a dense, unreactive precious metal used in catalytic converters and jewellery.'],
  ['Gold', 'Au', 79, 'Its symbol comes from the Latin aurum; it is a soft, dense, unreactive precious metal.'],
  [
    'Mercury',
    'Hg',
    80,
    'Its symbol comes from hydrargyrum, meaning liquid silver; it is the only metal that is liquid at room temperature.',
  ],
  ['Lead', 'Pb', 82, 'Its symbol comes from the Latin plumbum; it is a dense, toxic metal once used in water pipes and petrol.'],
  ['Radium', 'Ra', 88, 'It was discovered by Marie and Pierre Curie in 1898 and is intensely radioactive.'],
  [
    'Uranium',
    'U',
    92,
    'It was discovered by Martin Heinrich Klaproth in 1789 and its isotope uranium-235 is the fuel of most nuclear reactors.',
  ],
  ['Plutonium', 'Pu', 94, "It was first produced in 1940 by Glenn Seaborg's team at Berkeley and was named after the dwarf planet Pluto."],
  ['Polonium', 'Po', 84, "It was discovered by Marie and Pierre Curie in 1898 and named after Poland, Marie Curie's homeland."],
  ['Neodymium', 'Nd', 60, 'It is a rare-earth metal used in the strongest permanent magnets, found in wind turbines and headphones.'],
];

// [planet, order from the Sun, text]
const PLANETS: Array<[string, string]> = [
  [
    'Mercury (planet)',
    'Mercury is the smallest planet in the Solar System and the closest to the Sun, which it orbits every 88 days. It has no moons.',
  ],
  [
    'Venus',
    'Venus is the second planet from the Sun and the hottest, with a thick carbon dioxide atmosphere that traps heat; it rotates backwards compared with most planets.',
  ],
  [
    'Earth',
    'Earth is the third planet from the Sun and the only astronomical object known to harbour life. It has one natural satellite, the Moon, and about 71 percent of its surface is covered by water.',
  ],
  [
    'Mars',
    'Mars is the fourth planet from the Sun, called the Red Planet because of the iron oxide on its surface. It has two small moons, Phobos and Deimos, and the tallest volcano in the Solar System, Olympus Mons.',
  ],
  [
    'Jupiter',
    'Jupiter is the fifth planet from the Sun and the largest in the Solar System, a gas giant with a storm called the Great Red Spot. Its four large moons, Io, Europa, Ganymede and Callisto, were discovered by Galileo Galilei in 1610.',
  ],
  [
    'Saturn',
    'Saturn is the sixth planet from the Sun, a gas giant known for its prominent ring system made mostly of ice. Its largest moon, Titan, has a thick atmosphere.',
  ],
  [
    'Uranus',
    'Uranus is the seventh planet from the Sun, discovered by William Herschel in 1781. It is an ice giant whose axis is tilted so far that it rotates on its side.',
  ],
  [
    'Neptune',
    'Neptune is the eighth and farthest known planet from the Sun. It was found in 1846 after its position was predicted mathematically by Urbain Le Verrier, and its largest moon is Triton.',
  ],
  [
    'Pluto',
    'Pluto is a dwarf planet in the Kuiper belt, discovered by Clyde Tombaugh in 1930. It was considered the ninth planet until 2006, when the International Astronomical Union reclassified it.',
  ],
  [
    'Moon',
    "The Moon is Earth's only natural satellite, about 384,400 kilometres away. Neil Armstrong and Buzz Aldrin of Apollo 11 were the first people to walk on it, on 20 July 1969.",
  ],
  [
    'Sun',
    'The Sun is the star at the centre of the Solar System, a ball of hot plasma powered by nuclear fusion of hydrogen into helium. Its light takes about eight minutes to reach Earth.',
  ],
];

// [person, born, died, description]
const PEOPLE: Array<[string, number, number, string]> = [
  [
    'Isaac Newton',
    1643,
    1727,
    'an English mathematician and physicist who formulated the laws of motion and universal gravitation in his Principia of 1687 and developed calculus',
  ],
  [
    'Albert Einstein',
    1879,
    1955,
    'a German-born theoretical physicist who developed the theory of relativity and received the 1921 Nobel Prize in Physics for his explanation of the photoelectric effect',
  ],
  [
    'Marie Curie',
    1867,
    1934,
    'a Polish-born French physicist and chemist who researched radioactivity; she was the first woman to win a Nobel Prize and the only person to win Nobel Prizes in two different sciences, physics and chemistry',
  ],
  [
    'Charles Darwin',
    1809,
    1882,
    'an English naturalist who proposed the theory of evolution by natural selection in On the Origin of Species, published in 1859',
  ],
  [
    'Galileo Galilei',
    1564,
    1642,
    'an Italian astronomer and physicist who improved the telescope, discovered the four largest moons of Jupiter, and supported the Copernican view that the Earth orbits the Sun',
  ],
  [
    'Nicolaus Copernicus',
    1473,
    1543,
    'a Polish astronomer who proposed a heliocentric model of the universe with the Sun, not the Earth, at its centre',
  ],
  [
    'Johannes Kepler',
    1571,
    1630,
    'a German astronomer who discovered that planets move in elliptical orbits, described in his three laws of planetary motion',
  ],
  ['Michael Faraday', 1791, 1867, 'an English scientist who discovered electromagnetic induction and invented an early electric motor'],
  [
    'James Clerk Maxwell',
    1831,
    1879,
    'a Scottish physicist whose equations unified electricity, magnetism and light as electromagnetic radiation',
  ],
  [
    'Dmitri Mendeleev',
    1834,
    1907,
    'a Russian chemist who published the periodic table of the elements in 1869 and predicted elements that had not yet been discovered',
  ],
  ['Louis Pasteur', 1822, 1895, 'a French chemist and microbiologist who developed pasteurisation and vaccines against rabies and anthrax'],
  [
    'Alexander Fleming',
    1881,
    1955,
    'a Scottish physician and microbiologist who discovered penicillin, the first widely used antibiotic, in 1928',
  ],
  ['Gregor Mendel', 1822, 1884, 'an Augustinian friar in Brno whose experiments on pea plants founded the science of genetics'],
  [
    'Nikola Tesla',
    1856,
    1943,
    'a Serbian-American inventor and engineer known for his work on alternating current electricity and the induction motor',
  ],
  [
    'Thomas Edison',
    1847,
    1931,
    'an American inventor who developed the phonograph, a practical incandescent light bulb and the motion picture camera',
  ],
  [
    'Ada Lovelace',
    1815,
    1852,
    "an English mathematician who wrote what is considered the first computer program, for Charles Babbage's proposed Analytical Engine",
  ],
  [
    'Alan Turing',
    1912,
    1954,
    'an English mathematician and computer scientist who formalised computation with the Turing machine and helped break the Enigma code during the Second World War',
  ],
  [
    'Rosalind Franklin',
    1920,
    1958,
    'an English chemist whose X-ray diffraction images, including Photograph 51, were crucial to discovering the double helix structure of DNA',
  ],
  [
    'Niels Bohr',
    1885,
    1962,
    'a Danish physicist who proposed a model of the atom with electrons in discrete energy levels and won the 1922 Nobel Prize in Physics',
  ],
  ['Ernest Rutherford', 1871, 1937, 'a New Zealand-born physicist who discovered the atomic nucleus in 1911 with the gold foil experiment'],
  ['Wilhelm Röntgen', 1845, 1923, 'a German physicist who discovered X-rays in 1895 and received the first Nobel Prize in Physics in 1901'],
  ['Leonardo da Vinci', 1452, 1519, 'an Italian Renaissance painter, engineer and scientist who painted the Mona Lisa and The Last Supper'],
  [
    'Michelangelo',
    1475,
    1564,
    'an Italian Renaissance sculptor and painter who carved the statue of David and painted the ceiling of the Sistine Chapel',
  ],
  ['William Shakespeare', 1564, 1616, 'an English playwright and poet, author of Hamlet, Macbeth, Othello, King Lear and Romeo and Juliet'],
  [
    'Wolfgang Amadeus Mozart',
    1756,
    1791,
    'an Austrian composer of the Classical period who wrote more than 600 works, including the operas The Marriage of Figaro and The Magic Flute',
  ],
  [
    'Ludwig van Beethoven',
    1770,
    1827,
    'a German composer and pianist who wrote nine symphonies and continued to compose after he became deaf',
  ],
  [
    'Johann Sebastian Bach',
    1685,
    1750,
    'a German Baroque composer known for the Brandenburg Concertos, the Mass in B minor and The Well-Tempered Clavier',
  ],
  ['Frida Kahlo', 1907, 1954, 'a Mexican painter known for her self-portraits and for works inspired by the nature and culture of Mexico'],
  ['Vincent van Gogh', 1853, 1890, 'a Dutch Post-Impressionist painter whose works include The Starry Night and Sunflowers'],
  ['Pablo Picasso', 1881, 1973, 'a Spanish painter and sculptor who co-founded Cubism and painted Guernica in 1937'],
  [
    'Mahatma Gandhi',
    1869,
    1948,
    "an Indian lawyer and political leader who led the nonviolent campaign for India's independence from British rule",
  ],
  [
    'Nelson Mandela',
    1918,
    2013,
    "a South African anti-apartheid leader who spent 27 years in prison and became the country's first black president in 1994",
  ],
  [
    'Abraham Lincoln',
    1809,
    1865,
    'the 16th president of the United States, who led the country through the Civil War and issued the Emancipation Proclamation',
  ],
  [
    'George Washington',
    1732,
    1799,
    'the commander of the Continental Army in the American Revolutionary War and the first president of the United States',
  ],
  [
    'Napoleon Bonaparte',
    1769,
    1821,
    'a French military leader who crowned himself Emperor of the French in 1804 and was finally defeated at the Battle of Waterloo in 1815',
  ],
  [
    'Julius Caesar',
    -100,
    -44,
    'a Roman general and statesman who conquered Gaul and was assassinated on the Ides of March by a group of senators',
  ],
  ['Cleopatra', -69, -30, 'the last active ruler of the Ptolemaic Kingdom of Egypt, allied with Julius Caesar and later Mark Antony'],
  [
    'Genghis Khan',
    1162,
    1227,
    'the founder of the Mongol Empire, which became the largest contiguous land empire in history after his death',
  ],
  [
    'Confucius',
    -551,
    -479,
    'a Chinese philosopher whose teachings on morality, family and government, collected in the Analects, shaped East Asian culture',
  ],
  [
    'Aristotle',
    -384,
    -322,
    'an ancient Greek philosopher, a student of Plato and the tutor of Alexander the Great, who wrote on logic, biology, ethics and politics',
  ],
  ['Yuri Gagarin', 1934, 1968, 'a Soviet cosmonaut who became the first human in space when Vostok 1 orbited the Earth on 12 April 1961'],
  [
    'Amelia Earhart',
    1897,
    1937,
    'an American aviator who in 1932 became the first woman to fly solo across the Atlantic Ocean; she disappeared over the Pacific in 1937',
  ],
];

// [river, text]
const RIVERS: Array<[string, string]> = [
  [
    'Nile',
    'The Nile is a river in northeastern Africa, about 6,650 kilometres long and traditionally considered the longest river in the world. It flows north into the Mediterranean Sea, and its two main tributaries, the White Nile and the Blue Nile, meet at Khartoum.',
  ],
  [
    'Amazon River',
    'The Amazon River in South America carries more water than any other river in the world. It flows from the Andes of Peru across Brazil into the Atlantic Ocean.',
  ],
  [
    'Yangtze',
    'The Yangtze is the longest river in Asia, about 6,300 kilometres long, flowing through China to the East China Sea at Shanghai. The Three Gorges Dam crosses it.',
  ],
  [
    'Mississippi River',
    'The Mississippi River is the main river of the largest drainage basin in North America. It flows south from Lake Itasca in Minnesota to the Gulf of Mexico below New Orleans.',
  ],
  [
    'Danube',
    'The Danube is the second-longest river in Europe, flowing from the Black Forest in Germany to the Black Sea. It passes through four capital cities: Vienna, Bratislava, Budapest and Belgrade.',
  ],
  ['Volga', 'The Volga is the longest river in Europe, about 3,500 kilometres long, flowing through central Russia into the Caspian Sea.'],
  [
    'Rhine',
    'The Rhine rises in the Swiss Alps and flows through Germany and the Netherlands to the North Sea; it is one of the busiest waterways in Europe.',
  ],
  ['Thames', 'The Thames is a river in southern England that flows through Oxford and London into the North Sea.'],
  ['Seine', 'The Seine is a river in northern France that flows through Paris and reaches the English Channel at Le Havre.'],
  [
    'Ganges',
    'The Ganges rises in the Himalayas and flows across northern India and Bangladesh into the Bay of Bengal; it is sacred in Hinduism.',
  ],
  [
    'Mekong',
    'The Mekong flows from the Tibetan Plateau through China, Myanmar, Laos, Thailand and Cambodia to a large delta in southern Vietnam.',
  ],
  ['Congo River', 'The Congo River in central Africa is the deepest river in the world, with measured depths of more than 220 metres.'],
  ['Colorado River', 'The Colorado River in the southwestern United States carved the Grand Canyon in Arizona over millions of years.'],
  [
    'Tigris and Euphrates',
    'The Tigris and the Euphrates flow from Turkey through Syria and Iraq; the land between them, Mesopotamia, was home to some of the earliest civilisations.',
  ],
];

// [mountain, text]
const MOUNTAINS: Array<[string, string]> = [
  [
    'Mount Everest',
    'Mount Everest, on the border of Nepal and China in the Himalayas, is the highest mountain above sea level at 8,849 metres. Edmund Hillary and Tenzing Norgay first reached its summit on 29 May 1953.',
  ],
  ['K2', 'K2, on the border of Pakistan and China in the Karakoram range, is the second-highest mountain on Earth at 8,611 metres.'],
  [
    'Kilimanjaro',
    'Mount Kilimanjaro in Tanzania is the highest mountain in Africa at 5,895 metres; it is a dormant volcano with three volcanic cones.',
  ],
  ['Aconcagua', 'Aconcagua in the Andes of Argentina is the highest mountain in the Americas at about 6,961 metres.'],
  [
    'Denali',
    'Denali in Alaska is the highest mountain in North America at 6,190 metres; it was officially called Mount McKinley from 1917 to 2015.',
  ],
  ['Mont Blanc', 'Mont Blanc, on the border of France and Italy, is the highest mountain in the Alps at about 4,806 metres.'],
  ['Mount Elbrus', 'Mount Elbrus in the Caucasus Mountains of Russia is the highest mountain in Europe at 5,642 metres.'],
  ['Mount Fuji', 'Mount Fuji is an active volcano and the highest mountain in Japan at 3,776 metres; it last erupted in 1707.'],
  [
    'Matterhorn',
    "The Matterhorn is a pyramid-shaped peak of 4,478 metres on the border of Switzerland and Italy, first climbed by Edward Whymper's party in 1865.",
  ],
  [
    'Mauna Kea',
    'Mauna Kea is a dormant volcano in Hawaii; measured from its base on the ocean floor it is more than 10,000 metres tall, taller than Mount Everest.',
  ],
  [
    'Mount Vesuvius',
    'Mount Vesuvius is a volcano near Naples, Italy, whose eruption in 79 AD buried the Roman cities of Pompeii and Herculaneum.',
  ],
];

// [invention, text]
const INVENTIONS: Array<[string, string]> = [
  [
    'Printing press',
    'Johannes Gutenberg introduced printing with movable metal type in Mainz around 1440; the Gutenberg Bible was printed in the 1450s.',
  ],
  ['Telephone', 'Alexander Graham Bell was granted the first United States patent for the telephone in 1876.'],
  [
    'Airplane',
    'Orville and Wilbur Wright made the first controlled, sustained flight of a powered aircraft at Kitty Hawk, North Carolina, on 17 December 1903.',
  ],
  [
    'Steam engine',
    'James Watt greatly improved the steam engine in the 1760s and 1770s by adding a separate condenser, helping to drive the Industrial Revolution.',
  ],
  ['World Wide Web', 'Tim Berners-Lee invented the World Wide Web in 1989 while working at CERN, near Geneva.'],
  [
    'Light bulb',
    'Thomas Edison developed a long-lasting carbon-filament incandescent light bulb in 1879; Joseph Swan developed a similar lamp in England.',
  ],
  ['Radio', 'Guglielmo Marconi developed practical long-distance radio telegraphy and sent a radio signal across the Atlantic in 1901.'],
  [
    'Telescope',
    'The first telescopes appeared in the Netherlands in 1608, and Galileo built his own the following year to observe the sky.',
  ],
  [
    'Penicillin',
    'Penicillin was discovered by Alexander Fleming in 1928 when he noticed that a mould had killed the bacteria in a culture dish.',
  ],
  ['Vaccination', 'Edward Jenner developed the first vaccine in 1796, using material from cowpox to protect against smallpox.'],
  ['Dynamite', 'Alfred Nobel invented dynamite in 1867; his fortune later funded the Nobel Prizes, first awarded in 1901.'],
  ['Transistor', 'The transistor was invented at Bell Labs in 1947 by John Bardeen, Walter Brattain and William Shockley.'],
  ['Television', 'John Logie Baird gave the first public demonstration of a working television system in London in 1926.'],
  [
    'Periodic table',
    'Dmitri Mendeleev published his periodic table in 1869, ordering the elements by atomic weight and leaving gaps for undiscovered ones.',
  ],
  ['Automobile', 'Karl Benz patented the Benz Patent-Motorwagen in 1886, generally regarded as the first practical automobile.'],
  ['Compass', 'The magnetic compass was first used for navigation in China during the Song dynasty, around the 11th century.'],
  ['Paper', 'Papermaking is traditionally credited to Cai Lun, an official of the Han dynasty in China, around 105 AD.'],
];

// [landmark, text]
const LANDMARKS: Array<[string, string]> = [
  [
    'Eiffel Tower',
    "The Eiffel Tower is a wrought-iron lattice tower in Paris, built by Gustave Eiffel's company for the 1889 World's Fair. It is about 330 metres tall.",
  ],
  [
    'Great Wall of China',
    'The Great Wall of China is a series of fortifications built across northern China over many centuries; most of the surviving wall dates from the Ming dynasty.',
  ],
  [
    'Colosseum',
    'The Colosseum is an oval amphitheatre in the centre of Rome, completed in 80 AD under the emperor Titus, where gladiator contests were held.',
  ],
  [
    'Taj Mahal',
    'The Taj Mahal is a white marble mausoleum in Agra, India, commissioned by the Mughal emperor Shah Jahan for his wife Mumtaz Mahal.',
  ],
  [
    'Great Pyramid of Giza',
    'The Great Pyramid of Giza in Egypt was built for the pharaoh Khufu around 2560 BC; it is the oldest of the Seven Wonders of the Ancient World and the only one still standing.',
  ],
  [
    'Statue of Liberty',
    'The Statue of Liberty on Liberty Island in New York Harbor was a gift from France to the United States, dedicated in 1886 and designed by Frédéric Auguste Bartholdi.',
  ],
  [
    'Machu Picchu',
    'Machu Picchu is a 15th-century Inca citadel high in the Andes of Peru, brought to international attention by Hiram Bingham in 1911.',
  ],
  [
    'Stonehenge',
    'Stonehenge is a prehistoric monument on Salisbury Plain in England, a ring of standing stones built in several stages from around 3000 BC.',
  ],
  ['Sydney Opera House', 'The Sydney Opera House, designed by the Danish architect Jørn Utzon, opened in 1973 on Sydney Harbour.'],
  ['Parthenon', 'The Parthenon is a temple on the Acropolis of Athens dedicated to the goddess Athena, completed in 438 BC.'],
  [
    'Angkor Wat',
    'Angkor Wat in Cambodia is the largest religious monument in the world, built in the early 12th century by the Khmer king Suryavarman II.',
  ],
  [
    'Golden Gate Bridge',
    'The Golden Gate Bridge is a suspension bridge across the strait at the entrance to San Francisco Bay, opened in 1937.',
  ],
  [
    'Big Ben',
    'Big Ben is the nickname of the Great Bell of the clock at the north end of the Palace of Westminster in London; the tower was renamed the Elizabeth Tower in 2012.',
  ],
  ['Petra', 'Petra is an ancient city in southern Jordan, famous for buildings carved into pink sandstone cliffs by the Nabataeans.'],
  [
    'Christ the Redeemer',
    'Christ the Redeemer is a statue of Jesus Christ on Corcovado mountain overlooking Rio de Janeiro, Brazil, completed in 1931.',
  ],
  [
    'Chichen Itza',
    'Chichen Itza is a large pre-Columbian city built by the Maya on the Yucatán Peninsula of Mexico, known for the stepped pyramid El Castillo.',
  ],
  ['Burj Khalifa', 'The Burj Khalifa in Dubai, at 828 metres, has been the tallest building in the world since it opened in 2010.'],
];

// [book, author, year, text]
const BOOKS: Array<[string, string, number, string]> = [
  ['Pride and Prejudice', 'Jane Austen', 1813, 'follows Elizabeth Bennet and her changing view of the proud Mr Darcy'],
  ['Moby-Dick', 'Herman Melville', 1851, "is narrated by the sailor Ishmael and tells of Captain Ahab's obsessive hunt for a white whale"],
  ['War and Peace', 'Leo Tolstoy', 1869, 'follows several aristocratic Russian families during the Napoleonic Wars'],
  [
    'Don Quixote',
    'Miguel de Cervantes',
    1605,
    'tells of a Spanish nobleman who reads so many chivalric romances that he sets out to become a knight, with his squire Sancho Panza',
  ],
  [
    'Nineteen Eighty-Four',
    'George Orwell',
    1949,
    'depicts a totalitarian state ruled by Big Brother, where the Thought Police punish independent thinking',
  ],
  [
    'Crime and Punishment',
    'Fyodor Dostoevsky',
    1866,
    'follows Rodion Raskolnikov, a poor former student in Saint Petersburg who commits a murder',
  ],
  [
    'One Hundred Years of Solitude',
    'Gabriel García Márquez',
    1967,
    'tells the story of seven generations of the Buendía family in the fictional town of Macondo',
  ],
  [
    'The Great Gatsby',
    'F. Scott Fitzgerald',
    1925,
    'follows the mysterious millionaire Jay Gatsby and his love for Daisy Buchanan on Long Island',
  ],
  [
    'To Kill a Mockingbird',
    'Harper Lee',
    1960,
    'is narrated by the child Scout Finch, whose father Atticus defends a black man falsely accused in Alabama',
  ],
  ['Frankenstein', 'Mary Shelley', 1818, 'tells of the scientist Victor Frankenstein, who creates a living creature and then abandons it'],
  ['The Odyssey', 'Homer', -700, "is an ancient Greek epic poem about Odysseus's ten-year journey home to Ithaca after the Trojan War"],
  [
    'Les Misérables',
    'Victor Hugo',
    1862,
    'follows the former convict Jean Valjean in nineteenth-century France, pursued by the police inspector Javert',
  ],
  [
    'The Divine Comedy',
    'Dante Alighieri',
    1320,
    "is an Italian narrative poem describing Dante's journey through Hell, Purgatory and Paradise",
  ],
  [
    'Hamlet',
    'William Shakespeare',
    1601,
    'is a tragedy about Prince Hamlet of Denmark, who seeks revenge on his uncle Claudius for murdering his father',
  ],
  [
    'Romeo and Juliet',
    'William Shakespeare',
    1597,
    'is a tragedy about two young lovers from the feuding Montague and Capulet families of Verona',
  ],
  [
    "Alice's Adventures in Wonderland",
    'Lewis Carroll',
    1865,
    'tells of a girl named Alice who falls down a rabbit hole into a fantasy world',
  ],
  [
    'The Hobbit',
    'J. R. R. Tolkien',
    1937,
    'follows the hobbit Bilbo Baggins on a quest with thirteen dwarves to win treasure guarded by the dragon Smaug',
  ],
  ['Jane Eyre', 'Charlotte Brontë', 1847, 'follows an orphaned governess who falls in love with her employer, Mr Rochester'],
  [
    'Wuthering Heights',
    'Emily Brontë',
    1847,
    'tells of the passionate and destructive love between Heathcliff and Catherine Earnshaw on the Yorkshire moors',
  ],
  [
    'The Origin of Species',
    'Charles Darwin',
    1859,
    'presented the theory that populations evolve over generations through natural selection',
  ],
  ['Ulysses', 'James Joyce', 1922, 'follows Leopold Bloom through Dublin on a single day, 16 June 1904'],
  [
    'Madame Bovary',
    'Gustave Flaubert',
    1857,
    "tells of Emma Bovary, a doctor's wife in provincial France who seeks escape from her dull life",
  ],
  [
    'The Adventures of Huckleberry Finn',
    'Mark Twain',
    1884,
    'follows the boy Huck Finn and the escaped slave Jim on a raft journey down the Mississippi River',
  ],
  [
    'The Little Prince',
    'Antoine de Saint-Exupéry',
    1943,
    'tells of a pilot stranded in the Sahara who meets a young prince visiting Earth from a tiny asteroid',
  ],
];

// [topic, text] — general science and history facts written as short passages
const FACTS: Array<[string, string]> = [
  ['Speed of light', 'The speed of light in a vacuum is exactly 299,792,458 metres per second; the metre is defined from it.'],
  [
    'Photosynthesis',
    'Photosynthesis is the process by which plants, algae and some bacteria use sunlight to turn carbon dioxide and water into glucose, releasing oxygen.',
  ],
  [
    'DNA',
    'Deoxyribonucleic acid, or DNA, carries genetic instructions in a double helix of two strands; its structure was described by James Watson and Francis Crick in 1953.',
  ],
  [
    'Human heart',
    'The human heart has four chambers, two atria and two ventricles, and pumps blood through the body about 100,000 times a day.',
  ],
  ['Human skeleton', 'An adult human skeleton has 206 bones; the femur, in the thigh, is the longest and strongest of them.'],
  ['Water', 'Pure water freezes at 0 degrees Celsius and boils at 100 degrees Celsius at standard atmospheric pressure.'],
  [
    'Pacific Ocean',
    'The Pacific Ocean is the largest and deepest ocean on Earth; its Mariana Trench reaches a depth of almost 11,000 metres.',
  ],
  ['Atlantic Ocean', 'The Atlantic Ocean is the second-largest ocean, separating the Americas from Europe and Africa.'],
  ['Sahara', 'The Sahara in North Africa is the largest hot desert in the world, covering about 9 million square kilometres.'],
  [
    'Antarctica',
    'Antarctica is the southernmost continent and the coldest; the lowest natural temperature ever recorded on Earth, minus 89.2 degrees Celsius, was measured at Vostok Station in 1983.',
  ],
  [
    'Lake Baikal',
    "Lake Baikal in Siberia is the deepest lake in the world, at about 1,642 metres, and holds roughly a fifth of the world's unfrozen fresh surface water.",
  ],
  ['Caspian Sea', 'The Caspian Sea, between Europe and Asia, is the largest inland body of water on Earth by area.'],
  ['Great Barrier Reef', 'The Great Barrier Reef off the coast of Queensland, Australia, is the largest coral reef system in the world.'],
  [
    'Amazon rainforest',
    'The Amazon rainforest covers much of the Amazon basin in South America and is the largest tropical rainforest in the world, most of it in Brazil.',
  ],
  ['Blue whale', 'The blue whale is the largest animal known to have ever lived, reaching about 30 metres in length.'],
  ['Cheetah', 'The cheetah is the fastest land animal, able to run at around 100 to 120 kilometres per hour in short bursts.'],
  ['Giraffe', 'The giraffe, native to Africa, is the tallest living land animal; adult males can be more than 5 metres tall.'],
  [
    'Honey bee',
    'Honey bees live in colonies with a single queen, and worker bees communicate the location of flowers with a waggle dance.',
  ],
  ['Olympic Games', 'The modern Olympic Games were founded by Pierre de Coubertin; the first were held in Athens in 1896.'],
  [
    'FIFA World Cup',
    'The first FIFA World Cup was held in Uruguay in 1930, and Uruguay won it; Brazil has won the tournament five times, more than any other country.',
  ],
  [
    'First World War',
    'The First World War lasted from 1914 to 1918; it began after the assassination of Archduke Franz Ferdinand in Sarajevo.',
  ],
  [
    'Second World War',
    "The Second World War lasted from 1939 to 1945; it began with Germany's invasion of Poland and ended after the atomic bombings of Hiroshima and Nagasaki and the surrender of Japan.",
  ],
  [
    'Fall of the Berlin Wall',
    'The Berlin Wall, which divided East and West Berlin from 1961, fell on 9 November 1989; Germany was reunified on 3 October 1990.',
  ],
  [
    'French Revolution',
    'The French Revolution began in 1789 with the storming of the Bastille on 14 July and led to the end of the monarchy in France.',
  ],
  ['Magna Carta', 'Magna Carta was a charter of rights agreed to by King John of England at Runnymede in 1215.'],
  [
    'American Declaration of Independence',
    'The United States Declaration of Independence, drafted mainly by Thomas Jefferson, was adopted on 4 July 1776.',
  ],
  ['Roman Empire', 'The Roman Empire began when Augustus became the first emperor in 27 BC; the Western Roman Empire fell in 476 AD.'],
  ['Christopher Columbus', 'Christopher Columbus, an explorer from Genoa sailing for Spain, reached the Caribbean in 1492.'],
  [
    'Ferdinand Magellan',
    'Ferdinand Magellan led the Spanish expedition of 1519 to 1522 that made the first circumnavigation of the Earth, though he was killed in the Philippines in 1521.',
  ],
  ['Sputnik', 'Sputnik 1, launched by the Soviet Union on 4 October 1957, was the first artificial satellite to orbit the Earth.'],
  [
    'International Space Station',
    'The International Space Station is a crewed space station in low Earth orbit, continuously occupied since November 2000.',
  ],
  [
    'Hubble Space Telescope',
    'The Hubble Space Telescope was launched into low Earth orbit in 1990 and is named after the astronomer Edwin Hubble.',
  ],
  ['Milky Way', 'The Milky Way is the galaxy that contains the Solar System, a barred spiral galaxy with hundreds of billions of stars.'],
  ['Big Bang', 'According to the Big Bang theory, the universe began expanding from a very hot, dense state about 13.8 billion years ago.'],
  [
    'Black hole',
    'A black hole is a region of spacetime where gravity is so strong that nothing, not even light, can escape; the first image of one was published in 2019.',
  ],
  [
    'Plate tectonics',
    "Plate tectonics is the theory that Earth's outer shell is divided into large plates that move slowly over the mantle, causing earthquakes and building mountains.",
  ],
  [
    'Nobel Prize',
    'The Nobel Prizes are awarded yearly in physics, chemistry, medicine, literature and peace, under the will of Alfred Nobel; the first were awarded in 1901.',
  ],
  [
    'Mona Lisa',
    'The Mona Lisa is a portrait painted by Leonardo da Vinci in the early sixteenth century; it hangs in the Louvre in Paris.',
  ],
  [
    'The Starry Night',
    'The Starry Night is an oil painting by Vincent van Gogh from 1889, showing a swirling night sky over a village; it is held by the Museum of Modern Art in New York.',
  ],
  [
    'Guernica',
    'Guernica is a large painting by Pablo Picasso from 1937 that depicts the bombing of the Basque town of Guernica during the Spanish Civil War.',
  ],
  [
    'The Last Supper',
    'The Last Supper is a mural painted by Leonardo da Vinci in the 1490s on a wall of the convent of Santa Maria delle Grazie in Milan.',
  ],
  [
    'Symphony No. 9 (Beethoven)',
    "Beethoven's Symphony No. 9, completed in 1824, ends with a choral setting of Friedrich Schiller's poem Ode to Joy.",
  ],
  ['Python (programming language)', 'Python is a programming language created by Guido van Rossum and first released in 1991.'],
  ['JavaScript', 'JavaScript was created by Brendan Eich at Netscape in 1995 and is the main programming language of web browsers.'],
  ['Linux', 'Linux is an operating system kernel first released by Linus Torvalds in 1991.'],
  [
    'Euclid',
    'Euclid was a Greek mathematician of Alexandria whose Elements, a treatise in thirteen books, was the standard geometry textbook for more than two thousand years.',
  ],
  [
    'Pythagorean theorem',
    'The Pythagorean theorem states that in a right-angled triangle the square of the hypotenuse equals the sum of the squares of the other two sides.',
  ],
  ['Pi', "Pi is the ratio of a circle's circumference to its diameter, approximately 3.14159; it is an irrational number."],
];

interface Passage {
  id: string;
  title: string;
  text: string;
}

function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function year(y: number): string {
  return y < 0 ? `${-y} BC` : String(y);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function sampleCorpus(): Passage[] {
  const out: Passage[] = [];
  const add = (kind: string, title: string, text: string): void => {
    out.push({ id: `${kind}-${slug(title)}`, title, text });
  };
  for (const [country, capital, continent, language, currency] of COUNTRIES) {
    const name = capitalise(country);
    const title = country.replace(/^the /, '').replace(/^./, (c) => c.toUpperCase());
    const capitals = capital.includes('(') ? `Its capitals are ${capital}` : `Its capital is ${capital}`;
    add('country', title, `${name} is a country in ${continent}. ${capitals}.`);
    const languages = / and |, /.test(language)
      ? `The official languages of ${country} are ${language}`
      : `The official language of ${country} is ${language}`;
    add('country-facts', `${title} (language and currency)`, `${languages}, and its currency is ${currency}.`);
  }
  for (const [element, symbol, number, fact] of ELEMENTS) {
    add('element', element, `${element} is the chemical element with the symbol ${symbol} and atomic number ${number}. ${fact}`);
  }
  for (const [title, text] of PLANETS) add('space', title, text);
  for (const [person, born, died, description] of PEOPLE) {
    add('person', person, `${person} (${year(born)} – ${year(died)}) was ${description}.`);
  }
  for (const [title, text] of RIVERS) add('river', title, text);
  for (const [title, text] of MOUNTAINS) add('mountain', title, text);
  for (const [title, text] of INVENTIONS) add('invention', title, text);
  for (const [title, text] of LANDMARKS) add('landmark', title, text);
  for (const [book, author, when, summary] of BOOKS) {
    const written = when < 0 ? `composed around the ${Math.round(-when / 100)}th century BC` : `published in ${when}`;
    add('book', book, `${book} is a work by ${author}, ${written}. It ${summary}.`);
  }
  for (const [title, text] of FACTS) add('fact', title, text);
  const ids = new Set<string>();
  for (const p of out) {
    if (ids.has(p.id)) throw new Error(`duplicate passage id ${p.id}`);
    ids.add(p.id);
  }
  return out;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const out = process.argv[2] ?? join(root, 'data', 'sample_corpus.jsonl');
  const passages = sampleCorpus();
  writeFileSync(out, passages.map((p) => JSON.stringify(p)).join('\n') + '\n');
  process.stdout.write(`wrote ${passages.length} passages to ${out}\n`);
}
