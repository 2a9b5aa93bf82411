/**
 * A few paragraphs of plain English, written for this tool, that the byte-level BPE learns its merges
 * from: everyday words, numbers, punctuation, contractions and line breaks, so that common English
 * text tokenizes into whole words and a random model's output reads like word salad, not bytes.
 */
export const ENGLISH_SAMPLE = `The morning was cold and clear when the small team met in the kitchen to plan the week. There were three things on the list: fix the old printer, answer the letters from the city council, and write a short report about the river. Nobody wanted to start with the printer, so they began with the letters.

Maria read each letter out loud while Tom wrote down the questions. Most of them were simple. People asked when the new bridge would open, why the bus stopped running after 9 o'clock, and whether the park would get more trees. One letter, from a man who had lived in the town for 40 years, was longer than the others. He wrote that the river had changed, that the water was lower in the summer and the fish were smaller, and that he would like someone to explain why.

"That's a good question," said Maria. "I don't think we know the answer yet, but we can find out." Tom agreed. They decided that the report about the river should answer the man's letter first, and then describe what the team had measured over the last 12 months.

The river report took most of the day. The team had data from 6 stations along the water, each one reading the depth, the temperature and the flow every hour. When they put the numbers together, a clear picture came out. In the spring the river was high and fast, as it had always been. In the summer it was lower than in the past, because less snow had fallen in the hills and more water was taken for the farms. The warm, slow water was harder for the young fish, which is why they were smaller.

After lunch, Tom tried to fix the printer. He opened the side, took out the paper, cleaned the rollers and put everything back. It still didn't work. Then he noticed that the cable was not plugged in. He laughed, plugged it in, and the printer started at once, printing the 3 pages that had been waiting since Monday.

By the evening the letters were answered, the printer was working and the report was almost done. Maria read the last part again and changed a few words to make it easier to follow. She wanted the man who wrote the long letter to understand every line of it, even if he had never read a report like this before.

What did they learn from the week? First, that a simple question can lead to useful work. Second, that the numbers only matter when someone explains what they mean. And third, that you should always check the cable before you take the printer apart.

The next week would be busier. The council wanted a plan for the new park, the school had asked for help with a science project about water, and the bridge was going to open on Friday. The team made a new list, put it on the wall, and went home.
`;
