"""Name tables for a synthetic neighbourhood in the English West Midlands.

The mix of heritages follows the kind of place the generator imitates (a Wolverhampton
neighbourhood: White British majority, a large Punjabi Sikh community, Pakistani, Bangladeshi and
Gujarati families, Caribbean elders who came in the 1950s–60s, Polish and Romanian families who
came after 2004, Irish, and Nigerian, Ghanaian, Somali and Zimbabwean families). Each heritage
brings its own difficulty for linkage: Sikh names may be recorded as Singh/Kaur or the family
name, Polish women's surnames end -ska where the husband's end -ski and lose their accents in
older systems, many Muslim men share "Mohammed" spelt four ways, Irish names carry apostrophes.

Every table is a tuple in a fixed order, so ``random.Random.choice`` stays deterministic.
All names are common names, and no combination is meant to describe a real person.
"""


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Heritage of a household, with its share of households.
HERITAGE_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("british", 0.62),
    ("sikh", 0.09),
    ("pakistani", 0.05),
    ("bangladeshi", 0.015),
    ("gujarati", 0.03),
    ("caribbean", 0.05),
    ("polish", 0.045),
    ("romanian", 0.015),
    ("irish", 0.03),
    ("african", 0.04),
    ("chinese", 0.01),
)

# ---------------------------------------------------------------- British (by era of birth)
BRITISH_FEMALE_OLDER = _names(
    """Margaret Joan Dorothy Doris Joyce Irene Patricia Jean Barbara Brenda Sheila Betty Eileen
    Mavis Pauline Maureen Sylvia Valerie Marjorie Edna Gladys Hilda Iris Vera Elsie Ethel Winifred
    Kathleen Mary Elizabeth Shirley Sandra Carol Christine Linda Susan Janet Ann Anne Rita Evelyn
    Audrey Beryl Muriel Olive Phyllis Violet Freda Lilian June Rosemary Gwendoline Marion Norma
    Wendy Dorothy Gillian Pamela Josephine Frances Catherine Helen Jacqueline Alice Edith Florence
    Ivy Lily Mabel Nora Peggy Hazel Jennifer Elaine Marilyn Lorna Glenys Hilary Yvonne Judith"""
)
BRITISH_MALE_OLDER = _names(
    """John William George Albert Arthur Harold Kenneth Ronald Dennis Roy Peter Brian Derek
    Raymond Frederick Stanley Leslie Norman Ernest Walter Frank Alan Colin Keith Terence Michael
    David Robert James Thomas Richard Charles Edward Geoffrey Gordon Maurice Cyril Leonard Sidney
    Douglas Eric Reginald Victor Bernard Trevor Barry Anthony Graham Malcolm Clifford Donald
    Gerald Henry Jack Joseph Alfred Herbert Cecil Dennis Ivor Lionel Howard Gilbert Philip Roger
    Alexander Patrick Christopher Stephen Francis Samuel Wilfred Percy Horace Vincent Desmond"""
)
BRITISH_FEMALE_MIDDLE = _names(
    """Karen Julie Tracey Nicola Sarah Claire Joanne Lisa Michelle Helen Amanda Emma Rachel Kelly
    Donna Dawn Jacqueline Deborah Alison Louise Elizabeth Katherine Catherine Victoria Rebecca
    Gemma Kerry Samantha Natalie Stephanie Laura Hayley Lindsey Angela Caroline Jennifer Jane
    Sharon Tina Diane Lorraine Melanie Sally Susan Alexandra Suzanne Joanna Kirsty Leanne Vicky
    Zoe Abigail Charlotte Jessica Anna Lucy Ruth Fiona Gail Beverley Wendy Tracy Denise Andrea
    Heather Sonia Paula Maria Amy Carly Jodie Stacey Danielle Sophie Kate Rachael Lynne Debbie"""
)
BRITISH_MALE_MIDDLE = _names(
    """Paul Mark David Andrew Stephen Steven Richard Darren Jason Lee Craig Gary Wayne Neil Simon
    Ian Martin Christopher Matthew Daniel James Robert Michael Anthony Jonathan Timothy Philip
    Kevin Scott Dean Carl Shaun Stuart Nicholas Gareth Adam Benjamin Thomas William Peter John
    Graham Russell Glenn Jamie Ryan Ben Luke Sean Barry Alan Dale Nigel Antony Jeremy Gavin Marc
    Karl Justin Adrian Julian Robin Kieran Ashley Leigh Warren Ross Edward Joseph Alexander Samuel"""
)
BRITISH_FEMALE_YOUNGER = _names(
    """Olivia Amelia Isla Ava Emily Sophie Grace Lily Chloe Ella Mia Ruby Evie Jessica Poppy
    Isabella Charlotte Freya Daisy Phoebe Holly Megan Lauren Hannah Bethany Abigail Amy Ellie
    Millie Scarlett Erin Zoë Sienna Matilda Rosie Willow Harriet Florence Elsie Imogen Layla
    Maisie Eva Georgia Niamh Paige Courtney Jade Leah Katie Rebecca Shannon Caitlin Jasmine
    Alice Lucy Emma Amber Molly Summer Eleanor Lola Ivy Aria Luna Esme Thea Harper Mila Nancy
    Robyn Kayleigh Danielle Kirsty Natasha Stacey Toni Charlie Francesca Victoria Elizabeth"""
)
BRITISH_MALE_YOUNGER = _names(
    """Oliver Jack Harry Jacob Charlie Thomas George Noah Oscar James William Leo Alfie Joshua
    Freddie Archie Ethan Isaac Alexander Joseph Samuel Daniel Logan Mason Max Lucas Tyler Dylan
    Jayden Kian Liam Callum Connor Ryan Jake Luke Kyle Ben Louis Harvey Henry Theo Arthur Finley
    Reuben Toby Riley Jenson Ronnie Teddy Albie Tommy Frankie Elliot Aaron Bradley Jordan Lewis
    Nathan Adam Cameron Owen Jamie Reece Kieran Aiden Jude Rory Sebastian Zachary Edward Michael
    Matthew Benjamin Christopher Robert David Harrison Louie Stanley Rhys Brandon Declan Corey"""
)
BRITISH_FAMILY = _names(
    """Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson
    Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Jackson Wood Turner
    Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott
    Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter
    Richardson Bailey Collins Bell Shaw Miller Cox Richards Marshall Anderson Simpson Ellis Adams
    Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Hunt Matthews Owen Palmer Holmes Mills
    Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham
    Pearson Fletcher Gibson Howard Andrews Stewart Elliott Reynolds Saunders Payne Fox Ford Pearce
    Day Brooks West Lawrence Cole Atkinson Bradley Spencer Dawson Ball Burton Watts Rose Booth
    Perry Grant Wells Armstrong Francis Rees Hayes Hart Hudson Newman Barrett Webster Hunter
    Gregory Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry Stone Reid Holland Hawkins Harding
    Porter Robertson Newton Oliver Reed Williamson Bird Gardner Dean Lane Cooke Bates Henderson
    Parry Burgess Bishop Walton Burns Nicholson Shepherd Ross Cross Long Freeman Warren Nicholls
    Hamilton Sutton Yates Hodgson Robson Curtis Hopkins Harper Coleman Watkins Moss Chambers
    Griffin Sharp Hardy Wheeler Potter Osborne Johnston Gordon Wallace George Jordan Hutchinson
    Rowe May Pritchard Gilbert Willis Read Miles Stevenson Stephenson Hammond Arnold Buckley
    Walters Hewitt Barber Nelson Slater Austin Banks Dale Whitehouse Hickman Bayliss Tonks Bache
    Jukes Onions Cartwright Bradbury Brettell Homer Millward Nock Round Pugh Hingley Mallett
    Cadman Hollis Jeavons Perks Plant Timmins Wootton Beddow Fellows Dudley Tranter Sheldon
    Gough Haden Gripton Danks Foley Rudge Bowen Lycett Astbury Hadley Guest Woodall Bagley
    Ashby Baxter Bolton Briggs Bull Burrows Chadwick Clayton Cotton Crane Dawes Denton Eaton Farmer
    Fowler Garner Goodwin Hancock Hartley Heath Hobbs Holt Horton Hyde Kemp Kirby Lamb Lord Lucas
    Mann Marlow Mellor Moran Nash Norris Oakes Pemberton Pickering Pike Preston Quinton Ramsey
    Rowley Savage Sharpe Skinner Southall Stanton Steele Swift Talbot Thornton Tucker Vaughan Wade
    Waller Warner Weston Whitfield Wilde Winter Wyatt Yardley Ashton Beech Blackwell Brookes"""
)

# ---------------------------------------------------------------- Punjabi Sikh
SIKH_FEMALE = _names(
    """Harpreet Manpreet Jaspreet Navdeep Rajwinder Surinder Kulwant Balbir Parminder Amrit Simran
    Gurleen Harleen Jasleen Kiran Sukhjit Pritam Gurpreet Jasvir Kamaljit Kulwinder Manjit
    Baljinder Ravinder Sarbjit Harjit Jaswinder Paramjit Rupinder Sharanjit Navneet Gurdip
    Mandeep Amandeep Ramandeep Jasmeen Sukhleen Taranjit Prabhjot Hardeep Kuldeep Inderjeet"""
)
SIKH_MALE = _names(
    """Gurpreet Harjinder Jaswinder Kuldip Manjit Sukhwinder Balwinder Paramjit Amarjit Rajinder
    Davinder Jasbir Harpal Gurdeep Harvinder Jagjit Ranjit Satnam Sukhdev Tarsem Inderjit
    Karamjit Baljit Mandeep Harjit Arjun Jasdeep Gurmukh Charanjit Kulbir Ajit Sarbjit Hardeep
    Gurcharan Surjit Jaspal Harminder Onkar Taranjit Gurvinder Jasraj Ekam Fateh Arjan Harnoor"""
)
SIKH_FAMILY = _names(
    """Sandhu Gill Dhillon Sidhu Bains Johal Atwal Sangha Kang Bassi Virdi Dhaliwal Grewal Rai
    Bhogal Mann Samra Sahota Chahal Hayer Kalsi Sohal Uppal Chana Matharu Randhawa Thandi Bhamra
    Dhami Sekhon Purewal Khaira Nijjar Basra Heer Mangat Cheema Bhullar Aujla Dosanjh"""
)

# ---------------------------------------------------------------- Pakistani, Bangladeshi (Muslim)
MUSLIM_FEMALE = _names(
    """Fatima Ayesha Aisha Zainab Maryam Nasreen Shazia Rubina Samina Farzana Shabana Nusrat
    Amina Saima Yasmin Noor Hafsa Khadija Sana Iqra Halima Razia Parveen Rukhsana Salma Tahira
    Naseem Shamim Bushra Asma Sadia Nadia Mehreen Zara Inaya Aleena Hiba Anum Uzma Rahima
    Jahanara Shirin Nazma Rehana Sufia Momtaz Shahida Rozina Shapla Tania Sumaiya"""
)
MUSLIM_MALE = _names(
    """Mohammed Muhammad Mohammad Ahmed Ali Imran Tariq Asif Khalid Zahid Shahid Nadeem Farhan
    Bilal Usman Hamza Ibrahim Yusuf Zain Adnan Rashid Abdul Arif Javed Saleem Aamir Kamran Ayaan
    Rayyan Idris Hassan Hussain Faisal Waqas Naveed Sajid Majid Irfan Shabir Akbar Anwar Rizwan
    Abdullah Ismail Yaqub Shafiq Mahbub Anwarul Shahjahan Rafiq Jamal Nurul Mizanur Habibur"""
)
PAKISTANI_FAMILY = _names(
    """Khan Hussain Ahmed Ali Akhtar Iqbal Mahmood Rashid Shah Malik Butt Chaudhry Mirza Qureshi
    Raja Sheikh Siddiqui Zaman Aslam Anwar Nawaz Javed Bashir Riaz Tariq Mughal Sadiq Hanif Rehman
    Yousaf Latif Aziz Saeed Hameed Akram Younis Sabir Sultan Ashraf Mahmood"""
)
BANGLADESHI_FAMILY = _names(
    """Uddin Rahman Miah Islam Choudhury Hoque Ahmed Ali Begum Khatun Alam Hossain Karim Sarkar
    Haque Chowdhury Talukdar Mia Ullah Amin Kabir Bhuiyan"""
)
MUSLIM_WOMEN_SURNAMES = _names("Begum Bibi Khatun")

# ---------------------------------------------------------------- Gujarati (Hindu)
GUJARATI_FEMALE = _names(
    """Priya Anjali Pooja Sunita Geeta Meena Nisha Rekha Asha Hema Kavita Shreya Divya Neha Sonal
    Bhavna Hetal Jyoti Usha Lata Manisha Rina Krupa Nirmala Pushpa Kokila Hansa Jayshree Rupal
    Dipti Hina Mital Komal Riya Aarti Chandrika Savita Kanta Tara Vaishali"""
)
GUJARATI_MALE = _names(
    """Rajesh Suresh Ramesh Mahesh Dinesh Prakash Sanjay Vijay Anil Sunil Deepak Nikhil Rohan
    Arjun Kiran Ashok Hitesh Nilesh Pankaj Vikram Ravi Amit Jayesh Bharat Manoj Kishore Naresh
    Hasmukh Chandrakant Mukesh Jagdish Pravin Dilip Harish Kalpesh Ketan Yogesh Rakesh Aarav Dev"""
)
GUJARATI_FAMILY = _names(
    """Patel Shah Mistry Sharma Kumar Parmar Solanki Chauhan Joshi Mehta Desai Modi Lad Chavda
    Makwana Bhatt Pandya Gohil Rathod Vaghela Thakkar Trivedi Vyas Dave Soni Panchal Kotecha
    Raval Amin Bhatti"""
)

# ---------------------------------------------------------------- Caribbean
CARIBBEAN_FEMALE_OLDER = _names(
    """Marcia Beverley Hyacinth Icilda Myrtle Pearline Claudette Gloria Merline Hortense Sonia
    Yvonne Paulette Jennifer Cynthia Lurline Enid Gwendolyn Pansy Veronica Norma Millicent Daphne
    Ethlyn Joyce Dorothy Carmen Elaine Violet Iris"""
)
CARIBBEAN_MALE_OLDER = _names(
    """Winston Delroy Errol Clive Lloyd Everton Desmond Leroy Carlton Linton Neville Lascelles
    Wesley Cecil Fitzroy Vernon Hopeton Aston Glenroy Roy Ivan Rupert Herman Alphonso Keith Ewart
    Donovan Lenford Basil Eustace"""
)
CARIBBEAN_FEMALE_YOUNGER = _names(
    """Shanice Tanisha Keisha Jade Aaliyah Kayla Chantelle Tia Jasmine Nia Shanelle Latoya
    Kemisha Simone Renee Danielle Naomi Amara Zara Leah Monique Charlene Anisha Imani"""
)
CARIBBEAN_MALE_YOUNGER = _names(
    """Jermaine Tyrone Marlon Dwayne Kemar Jamal Andre Rohan Shane Leon Darnell Curtis Omari
    Tyrese Jerome Nathaniel Isaiah Malachi Elijah Kofi Kyle Reuben Jaden Devon"""
)
CARIBBEAN_FAMILY = _names(
    """Campbell Brown Williams Thomas Clarke Johnson Francis Grant Reid Bailey Edwards Gordon
    Samuels Henry Morgan Lewis Spencer McFarlane Barrett Walters Ellis Richards Forbes Stewart
    Powell Dixon Gayle Hylton Wynter Facey Lindo Cunningham Blake Ferguson Hinds Bennett Murray
    Simpson Thompson Lawrence Palmer Chambers Graham McKenzie Mullings Hemmings Bryan Sinclair"""
)

# ---------------------------------------------------------------- Polish, Romanian
POLISH_FEMALE = _names(
    """Anna Maria Katarzyna Małgorzata Agnieszka Barbara Ewa Magdalena Joanna Aleksandra Monika
    Dorota Beata Natalia Karolina Justyna Paulina Zofia Julia Weronika Marta Agata Iwona Renata
    Emilia Zuzanna Oliwia Kinga Sylwia Marzena Urszula Halina Krystyna Jadwiga Elżbieta Bożena"""
)
POLISH_MALE = _names(
    """Piotr Krzysztof Andrzej Tomasz Paweł Michał Marcin Łukasz Jakub Mateusz Kamil Marek
    Grzegorz Wojciech Adam Dariusz Rafał Sebastian Bartosz Szymon Jan Kacper Dawid Maciej Artur
    Damian Przemysław Zbigniew Jerzy Stanisław Filip Antoni Wiktor Igor Patryk Hubert"""
)
# Masculine forms; feminine forms are made by ``polish_feminine``.
POLISH_FAMILY = _names(
    """Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański
    Woźniak Dąbrowski Kozłowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski
    Nowakowski Pawłowski Michalski Król Wieczorek Jabłoński Wróbel Majewski Olszewski Stępień
    Malinowski Jaworski Adamczyk Dudek Nowicki Pawlak Górski Witkowski Walczak Sikora Baran
    Rutkowski Michalak Szewczyk Ostrowski Tomaszewski Zawadzki Sadowski Chmielewski Wysocki"""
)
ROMANIAN_FEMALE = _names(
    """Elena Ioana Alexandra Maria Andreea Mihaela Cristina Gabriela Roxana Adriana Larisa Bianca
    Alina Daniela Florentina Simona Raluca Denisa Georgiana Nicoleta"""
)
ROMANIAN_MALE = _names(
    """Andrei Ionuț Mihai Alexandru Gheorghe Constantin Florin Adrian Vasile Cristian Bogdan
    Marius Ștefan Gabriel Ciprian Daniel Costel Dorin Lucian Sorin"""
)
ROMANIAN_FAMILY = _names(
    """Popescu Ionescu Popa Stan Dumitru Stoica Gheorghe Munteanu Constantin Rusu Matei Ciobanu
    Lungu Moldovan Florea Marin Tudor Dinu Radu Barbu Ene Ursu Nistor"""
)

# ---------------------------------------------------------------- Irish
IRISH_FEMALE = _names(
    """Siobhan Niamh Aoife Bridget Mairead Roisin Orla Sinead Deirdre Kathleen Maeve Clodagh
    Mary Theresa Bernadette Eileen Nora Maureen Ciara Grainne Una Eithne Colette Marian"""
)
IRISH_MALE = _names(
    """Patrick Sean Seamus Declan Ciaran Niall Colm Liam Eamon Padraig Michael Brendan Kieran
    Dermot Fergal Cormac Donal Kevin Martin Gerard Aidan Conor Eoin Cathal"""
)
IRISH_FAMILY = _names(
    """O'Neill O'Brien O'Connor Murphy Kelly Byrne Ryan O'Sullivan Walsh McCarthy Doyle
    Gallagher Kennedy Lynch Quinn Flanagan McLaughlin O'Reilly Brennan Fitzgerald Nolan Brady
    Duffy Keane Maguire McGuinness O'Donnell Whelan O'Shea Kavanagh McDermott O'Callaghan
    Mulligan Dunne Cassidy Hennessy O'Hara Sweeney Donnelly"""
)

# ---------------------------------------------------------------- Nigerian, Ghanaian, Somali, Zimbabwean
AFRICAN_FEMALE = _names(
    """Adaeze Chioma Ngozi Funmilayo Abena Akosua Ama Efua Hodan Fadumo Sahra Ayan Nyasha Rudo
    Precious Blessing Grace Folake Yetunde Ifeoma Chiamaka Temitope Oluwadamilola Adwoa Afua
    Nimco Ubah Fartun Tendai Chipo Esther Mercy Comfort Patience Abimbola Omolara"""
)
AFRICAN_MALE = _names(
    """Oluwaseun Chinedu Emeka Tunde Kwame Kofi Kwabena Yaw Abdi Mohamed Ahmed Tendai Tatenda
    Blessing Godfrey Samuel Emmanuel Chukwuemeka Femi Segun Ifeanyi Olumide Kwasi Kojo Abdirahman
    Abdullahi Farah Tinashe Farai Takudzwa Obinna Babatunde Adewale Ebuka Nnamdi"""
)
AFRICAN_FAMILY = _names(
    """Okafor Okonkwo Adeyemi Adebayo Olawale Mensah Boateng Asante Owusu Osei Appiah Agyeman Abdi
    Hassan Mohamed Warsame Farah Moyo Ncube Dube Sibanda Chikwanha Mutasa Eze Nwosu Obi Balogun
    Bakare Ogunleye Adeleke Oyelaran Amponsah Danso Yusuf Jama Nyathi Mhlanga"""
)

# ---------------------------------------------------------------- Chinese (Hong Kong, Malaysia)
CHINESE_FEMALE = _names(
    """Mei Ling Wai Xiu Yan Hui Li Jing Siu Ying Fang Yuet Suk Wing Lai Kit Ka Man Chloe Grace Jenny"""
)
CHINESE_MALE = _names(
    """Wei Ming Jun Hao Kwok Chi Wing Kin Tak Lok Hing Kai Yiu Fai Kenneth Michael Raymond Jason"""
)
CHINESE_FAMILY = _names(
    """Chan Wong Li Cheung Lau Lee Chen Ng Lam Leung Ho Yeung Tang Chow Wu Zhang Liu Lin Yip Kwok"""
)

# ---------------------------------------------------------------- how tables combine
# heritage -> sex -> era ("older" born before 1960, "middle" 1960–89, "younger" 1990 on)
GIVEN: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "british": {
        "female": {
            "older": BRITISH_FEMALE_OLDER,
            "middle": BRITISH_FEMALE_MIDDLE,
            "younger": BRITISH_FEMALE_YOUNGER,
        },
        "male": {
            "older": BRITISH_MALE_OLDER,
            "middle": BRITISH_MALE_MIDDLE,
            "younger": BRITISH_MALE_YOUNGER,
        },
    },
    "caribbean": {
        "female": {
            "older": CARIBBEAN_FEMALE_OLDER,
            "middle": CARIBBEAN_FEMALE_OLDER + BRITISH_FEMALE_MIDDLE,
            "younger": CARIBBEAN_FEMALE_YOUNGER + BRITISH_FEMALE_YOUNGER,
        },
        "male": {
            "older": CARIBBEAN_MALE_OLDER,
            "middle": CARIBBEAN_MALE_OLDER + BRITISH_MALE_MIDDLE,
            "younger": CARIBBEAN_MALE_YOUNGER + BRITISH_MALE_YOUNGER,
        },
    },
}
_ANY_ERA = {
    "sikh": (SIKH_FEMALE, SIKH_MALE),
    "pakistani": (MUSLIM_FEMALE, MUSLIM_MALE),
    "bangladeshi": (MUSLIM_FEMALE, MUSLIM_MALE),
    "gujarati": (GUJARATI_FEMALE, GUJARATI_MALE),
    "polish": (POLISH_FEMALE, POLISH_MALE),
    "romanian": (ROMANIAN_FEMALE, ROMANIAN_MALE),
    "irish": (IRISH_FEMALE, IRISH_MALE),
    "african": (AFRICAN_FEMALE, AFRICAN_MALE),
    "chinese": (CHINESE_FEMALE, CHINESE_MALE),
}
for _heritage, (_female, _male) in _ANY_ERA.items():
    GIVEN[_heritage] = {
        "female": {"older": _female, "middle": _female, "younger": _female},
        "male": {"older": _male, "middle": _male, "younger": _male},
    }

FAMILY: dict[str, tuple[str, ...]] = {
    "british": BRITISH_FAMILY,
    "sikh": SIKH_FAMILY,
    "pakistani": PAKISTANI_FAMILY,
    "bangladeshi": BANGLADESHI_FAMILY,
    "gujarati": GUJARATI_FAMILY,
    "caribbean": CARIBBEAN_FAMILY,
    "polish": POLISH_FAMILY,
    "romanian": ROMANIAN_FAMILY,
    "irish": IRISH_FAMILY,
    "african": AFRICAN_FAMILY,
    "chinese": CHINESE_FAMILY,
}

# Twins with deliberately similar (but different) given names.
SIMILAR_TWIN_NAMES: tuple[tuple[str, str, str, str], ...] = (
    # (sex of first, first, sex of second, second)
    ("male", "Daniel", "female", "Danielle"),
    ("male", "Louis", "female", "Louise"),
    ("male", "Jack", "male", "Jake"),
    ("female", "Amy", "female", "Abby"),
    ("female", "Ellie", "female", "Evie"),
    ("male", "Harry", "male", "Harvey"),
    ("male", "Aiden", "male", "Ethan"),
    ("female", "Mia", "female", "Maya"),
    ("male", "Jon", "male", "John"),
    ("female", "Hannah", "female", "Anna"),
    ("male", "Callum", "male", "Calvin"),
    ("female", "Lily", "female", "Lilly-Mae"),
    ("male", "Ryan", "male", "Rhys"),
    ("female", "Gemma", "female", "Jenna"),
    ("male", "Jayden", "male", "Jaden"),
    ("female", "Chloe", "female", "Zoe"),
)

# Titles councils record on council tax bills.
TITLES = {"male": ("Mr",), "female": ("Mrs", "Ms", "Miss")}

_POLISH_FEMININE_ENDINGS = (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka"))


def polish_feminine(surname: str) -> str:
    """Kowalski -> Kowalska: Polish women carry the feminine form of the family name."""
    for masculine, feminine in _POLISH_FEMININE_ENDINGS:
        if surname.endswith(masculine):
            return surname[: -len(masculine)] + feminine
    return surname


def era_of(birth_year: int) -> str:
    if birth_year < 1960:
        return "older"
    if birth_year < 1990:
        return "middle"
    return "younger"
